import PortsentryCore
import Control
import Synchronization

/// A test double of `ControlHandler`: fixed answers, and a record of the requests it ran.
final class ScriptedHandler: ControlHandler {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "firewall rejected the change" }
    }

    let calls = Mutex<[String]>([])
    /// When set, `status` waits for this long (to keep a request in the handler).
    let statusDelay: Duration
    /// When true, `flush` throws.
    let failFlush: Bool
    /// What `list` answers.
    let bans: [BanEntry]

    init(statusDelay: Duration = .zero, failFlush: Bool = false, bans: [BanEntry] = [ScriptedHandler.ban]) {
        self.statusDelay = statusDelay
        self.failFlush = failFlush
        self.bans = bans
    }

    static let report = StatusReport(
        version: "test", pid: 42, startedAt: 1_700_000_000, mode: "stealth", method: "pcap",
        interfaces: ["eth0"], backend: "nftables", bansIPv4: 1, bansIPv6: 0,
        eventsSinceStart: 7, bansSinceStart: 1, configFile: "/etc/portsentry/portsentry.conf")
    static let ban = BanEntry(address: "192.0.2.7", expiresIn: 60, bannedAt: 1_700_000_100,
                              trigger: BanEntry.Trigger(proto: "TCP", port: 23, type: "TCP SYN/Normal scan"), hits: 3)

    /// `count` distinct bans (10.x.y.z), for answers larger than a socket buffer.
    static func manyBans(_ count: Int) -> [BanEntry] {
        (0..<count).map { i in
            BanEntry(address: "10.\(i >> 16).\(i >> 8 & 255).\(i & 255)", expiresIn: UInt64(i), bannedAt: 1_700_000_000,
                     trigger: BanEntry.Trigger(proto: "TCP", port: 23, type: "TCP SYN/Normal scan"), hits: i)
        }
    }

    func status() async throws -> StatusReport {
        record("status")
        if statusDelay > .zero { try await Task.sleep(for: statusDelay) }
        return Self.report
    }
    func list() async throws -> [BanEntry] { record("list"); return bans }
    func block(_ order: BlockOrder) async throws -> [TargetResult] {
        record("block \(order.targets) \(order.seconds.map(String.init) ?? "default") force=\(order.force)")
        return order.targets.map { TargetResult(address: "\($0)", outcome: .blocked) }
    }
    func unblock(_ targets: [CIDR]) async throws -> [TargetResult] {
        record("unblock \(targets)")
        return targets.map { TargetResult(address: "\($0)", outcome: $0.description == "192.0.2.7" ? .unblocked : .notBanned) }
    }
    func flush() async throws -> Int {
        record("flush")
        if failFlush { throw Failure() }
        return 1
    }
    func reload() async throws -> ReloadReport { record("reload"); return ReloadReport(accepted: true, message: "ok") }
    func protected() async throws -> [ProtectedEntry] {
        record("protected")
        return [ProtectedEntry(address: "192.0.2.1", reason: "default gateway")]
    }

    func explain(_ target: CIDR) async throws -> Explanation {
        record("explain \(target)")
        return Explanation(query: "\(target)", live: nil, last: nil, offences: 0, offenceMemory: 86_400, ignored: false, protected: nil)
    }

    static let activity = ActivityReport(
        at: 1_700_000_400, probesPerMinute: Array(repeating: 0, count: 59) + [5], bansPerMinute: Array(repeating: 0, count: 59) + [1],
        topMinutes: 10, topSources: [.init(address: "192.0.2.7", probes: 5)], topPorts: [.init(proto: "TCP", port: 23, probes: 5)],
        approximate: false, liveBans: BansByOrigin(probe: 1))

    func activity() async throws -> ActivityReport { record("activity"); return Self.activity }

    private func record(_ call: String) { calls.withLock { $0.append(call) } }
}
