import Dispatch
import Foundation
import PortsentryCore

/// HTTP to CrowdSec's Local API (docs/crowdsec.md, shared/spec/crowdsec-lapi.md): the watcher's
/// JWT login (lazily, again a minute before it expires and after any 401), alerts, decision
/// deletes, and the bouncer's decision stream with its API key.
actor LAPIClient {
    private let base: String
    private let credentials: FleetCredentials
    /// CROWDSEC_CA_FILE: verifies an https LAPI instead of the system's CAs.
    private let caFile: String?
    private var token: (value: String, expires: Date)?

    static let watcherAgent = "portsentry/\(PortsentryVersion.number)"
    static let bouncerAgent = "portsentry-bouncer/\(PortsentryVersion.number)"
    /// The largest answer read (a startup list with the community blocklist is a few MB).
    static let maxBody = 64 << 20

    init(base: String, credentials: FleetCredentials, caFile: String? = nil) {
        self.base = base
        self.credentials = credentials
        self.caFile = caFile
    }

    // MARK: Watcher

    /// `POST /v1/alerts` with a JSON array of alerts; the LAPI answers 201.
    func pushAlerts(_ body: Data) async throws(LAPIError) {
        _ = try await asWatcher(method: "POST", path: "/v1/alerts", body: body, expect: 201)
    }

    /// `DELETE /v1/decisions?value=&origin=`: our decision for `value`, fleet-wide.
    func deleteDecisions(value: String, origin: String) async throws(LAPIError) {
        let query = "value=\(Self.escaped(value))&origin=\(Self.escaped(origin))"
        _ = try await asWatcher(method: "DELETE", path: "/v1/decisions?\(query)", body: nil, expect: 200)
    }

    private func asWatcher(method: String, path: String, body: Data?, expect: Int) async throws(LAPIError) -> Data {
        let bearer = try await validToken()
        do {
            return try await send(method, path, body: body, headers: ["Authorization": "Bearer \(bearer)"],
                                  agent: Self.watcherAgent, timeout: 30, expect: expect)
        } catch where error.status == 401 {
            token = nil   // a LAPI restart makes every token invalid: log in again, once
            let fresh = try await validToken()
            return try await send(method, path, body: body, headers: ["Authorization": "Bearer \(fresh)"],
                                  agent: Self.watcherAgent, timeout: 30, expect: expect)
        }
    }

    private func validToken() async throws(LAPIError) -> String {
        if let token, token.expires.timeIntervalSinceNow > 60 { return token.value }
        guard let login = credentials.login else { throw LAPIError.unreachable("no watcher login configured") }
        let body = (try? JSONEncoder().encode(["machine_id": login.machineID, "password": login.password])) ?? Data()
        let data = try await send("POST", "/v1/watchers/login", body: body, headers: [:], agent: Self.watcherAgent,
                                  timeout: 30, expect: 200)
        guard let answer = LoginAnswer.parse(data) else { throw LAPIError.unreachable("the login answer holds no token") }
        token = (answer.token, answer.expires ?? Date(timeIntervalSinceNow: 3600))
        return answer.token
    }

    // MARK: Bouncer

    /// `GET /v1/decisions/stream`: every active decision at `startup`, else what changed since
    /// the previous call.
    func stream(startup: Bool, origins: [String]) async throws(LAPIError) -> Data {
        guard let key = credentials.apiKey else { throw LAPIError.unreachable("no bouncer key configured") }
        var query = "scopes=ip,range"
        if startup { query += "&startup=true" }
        if !origins.isEmpty { query += "&origins=\(origins.map(Self.escaped).joined(separator: ","))&dedup=false" }
        return try await send("GET", "/v1/decisions/stream?\(query)", body: nil, headers: ["X-Api-Key": key],
                              agent: Self.bouncerAgent, timeout: startup ? 60 : 10, expect: 200)
    }

    // MARK: HTTP

    private func send(_ method: String, _ path: String, body: Data?, headers: [String: String], agent: String,
                      timeout: TimeInterval, expect: Int) async throws(LAPIError) -> Data {
        var allHeaders = headers
        allHeaders["User-Agent"] = agent
        if body != nil { allHeaders["Content-Type"] = "application/json" }
        let exchange = CurlExchange(method: method, url: base + path, headers: allHeaders, body: body, timeout: timeout,
                                    caFile: caFile, maxBody: Self.maxBody)
        let answer: CurlExchange.Answer
        switch await Self.run(exchange) {
        case .success(let a): answer = a
        case .failure(let failure): throw LAPIError.unreachable("cannot reach \(base): \(failure.reason)")
        }
        guard answer.status == expect else { throw LAPIError.http(answer.status, ErrorAnswer.message(in: answer.body)) }
        return answer.body
    }

    /// Runs `exchange` on a worker thread. A cancelled caller returns at once; the transfer
    /// itself ends with its timeout.
    private static func run(_ exchange: CurlExchange) async -> Result<CurlExchange.Answer, CurlExchange.Failure> {
        let slot = ResumeOnce<Result<CurlExchange.Answer, CurlExchange.Failure>>()
        return (try? await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                slot.store(continuation)
                DispatchQueue.global().async { slot.resume(.success(exchange.perform())) }
            }
        } onCancel: {
            slot.resume(.failure(CancellationError()))
        }) ?? .failure(CurlExchange.Failure(reason: "cancelled"))
    }

    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
