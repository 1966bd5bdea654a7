import FoundationEssentials
import PortsentryCore

/// The JSON shape of a request line; every field optional so that validation can name what is missing.
private struct WireRequest: Codable {
    var v: Int?
    var cmd: String?
    var addresses: [String]?
    /// Seconds; a Double so that negative and fractional values get a clear error.
    var duration: Double?
    var reason: String?
    var force: Bool?
}

extension ControlRequest {
    /// The request as one JSON line, newline included.
    public func encodedLine() -> [UInt8] {
        var wire = WireRequest(v: ControlProtocol.version, cmd: command)
        switch self {
        case .block(let order):
            wire.addresses = order.targets.map(\.description)
            wire.duration = order.seconds.map { Double($0) }
            wire.reason = order.reason
            wire.force = order.force
        case .unblock(let targets):
            wire.addresses = targets.map(\.description)
        case .explain(let target):
            wire.addresses = [target.description]
        case .status, .list, .flush, .reload, .protected, .activity:
            break
        }
        return JSONLine.encode(wire)
    }

    /// Decodes and validates one request line (without its newline).
    public init(line: some Collection<UInt8>) throws(ControlError) {
        let wire: WireRequest
        do {
            wire = try JSONDecoder().decode(WireRequest.self, from: Data(line))
        } catch let error as DecodingError {
            throw .badRequest(JSONLine.describe(error))
        } catch {
            throw .badRequest("malformed JSON")
        }
        guard let version = wire.v else { throw .badRequest("missing protocol version \"v\"") }
        guard version == ControlProtocol.version else {
            throw .badRequest("unsupported protocol version \(version) (this daemon speaks \(ControlProtocol.version))")
        }
        switch wire.cmd {
        case "status": self = .status
        case "list": self = .list
        case "flush": self = .flush
        case "reload": self = .reload
        case "protected": self = .protected
        case "activity": self = .activity
        case "unblock": self = .unblock(try Self.targets(wire.addresses))
        case "explain":
            let targets = try Self.targets(wire.addresses)
            guard targets.count == 1 else { throw .badRequest("\"explain\" takes exactly one address or network") }
            self = .explain(targets[0])
        case "block":
            let seconds = try wire.duration.map { (value: Double) throws(ControlError) -> UInt64 in
                guard value >= 0, value == value.rounded(), value <= Double(ControlProtocol.maxBanSeconds) else {
                    throw .badRequest("\"duration\" must be a whole number of seconds from 0 to \(ControlProtocol.maxBanSeconds)")
                }
                return UInt64(value)
            }
            if let reason = wire.reason {
                guard reason.count <= ControlProtocol.maxReasonLength,
                      reason.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) else {
                    throw .badRequest("reason must be at most \(ControlProtocol.maxReasonLength) characters without control characters")
                }
            }
            self = .block(BlockOrder(targets: try Self.targets(wire.addresses), seconds: seconds,
                                     reason: wire.reason, force: wire.force ?? false))
        case nil:
            throw .badRequest("missing command \"cmd\"")
        case let other?:
            throw .badRequest("unknown command '\(other)' (expected status, list, block, unblock, flush, reload, protected, explain or activity)")
        }
    }

    private static func targets(_ texts: [String]?) throws(ControlError) -> [CIDR] {
        guard let texts, !texts.isEmpty else { throw .badRequest("\"addresses\" must name at least one address") }
        var targets: [CIDR] = []
        for text in texts { targets.append(try CIDR(target: text)) }
        return targets
    }
}
