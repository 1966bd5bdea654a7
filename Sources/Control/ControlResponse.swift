import FoundationEssentials

/// One answer line. Exactly one payload field is set when `ok` is true, `error` when it is false.
public struct ControlResponse: Codable, Sendable, Hashable {
    /// Protocol version (`ControlProtocol.version`).
    public var v: Int
    /// Whether the request was carried out.
    public var ok: Bool
    /// Why not, for people.
    public var error: String?
    /// Kind of failure, for clients that act on it (exit codes).
    public var code: FailureCode?
    public var status: StatusReport?
    public var bans: [BanEntry]?
    public var results: [TargetResult]?
    /// Number of bans lifted by `flush`.
    public var flushed: Int?
    public var reload: ReloadReport?
    public var protected: [ProtectedEntry]?
    public var explanation: Explanation?
    public var activity: ActivityReport?

    /// Why a request failed.
    public enum FailureCode: String, Codable, Sendable, Hashable {
        /// The request was malformed or invalid; nothing was done.
        case badRequest = "bad-request"
        /// The peer is neither root nor in CONTROL_GROUP.
        case permissionDenied = "permission-denied"
        /// No complete request arrived in time.
        case timedOut = "timed-out"
        /// The daemon could not carry out a valid request.
        case failed
    }

    private init(ok: Bool, error: String? = nil, code: FailureCode? = nil) {
        self.v = ControlProtocol.version
        self.ok = ok
        self.error = error
        self.code = code
    }

    /// A failed request.
    public static func failure(_ message: String, code: FailureCode = .failed) -> ControlResponse {
        ControlResponse(ok: false, error: message, code: code)
    }

    // Successful answers, one per command.
    public static func status(_ report: StatusReport) -> ControlResponse {
        var r = ControlResponse(ok: true); r.status = report; return r
    }
    public static func bans(_ entries: [BanEntry]) -> ControlResponse {
        var r = ControlResponse(ok: true); r.bans = entries; return r
    }
    public static func results(_ results: [TargetResult]) -> ControlResponse {
        var r = ControlResponse(ok: true); r.results = results; return r
    }
    public static func flushed(_ count: Int) -> ControlResponse {
        var r = ControlResponse(ok: true); r.flushed = count; return r
    }
    public static func reload(_ report: ReloadReport) -> ControlResponse {
        var r = ControlResponse(ok: true); r.reload = report; return r
    }
    public static func protected(_ entries: [ProtectedEntry]) -> ControlResponse {
        var r = ControlResponse(ok: true); r.protected = entries; return r
    }
    public static func explanation(_ explanation: Explanation) -> ControlResponse {
        var r = ControlResponse(ok: true); r.explanation = explanation; return r
    }
    public static func activity(_ report: ActivityReport) -> ControlResponse {
        var r = ControlResponse(ok: true); r.activity = report; return r
    }

    /// The response as one JSON line, newline included.
    public func encodedLine() -> [UInt8] { JSONLine.encode(self) }

    /// Decodes one response line (without its newline).
    public init(line: some Collection<UInt8>) throws(ControlError) {
        do {
            self = try JSONDecoder().decode(ControlResponse.self, from: Data(line))
        } catch let error as DecodingError {
            throw .badResponse(JSONLine.describe(error))
        } catch {
            throw .badResponse("malformed JSON")
        }
        guard v == ControlProtocol.version else {
            throw .badResponse("protocol version \(v) (this portsentry-ctl speaks \(ControlProtocol.version))")
        }
        guard ok || error != nil else { throw .badResponse("failure without an error message") }
    }
}
