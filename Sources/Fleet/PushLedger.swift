import PortsentryCore
import Synchronization

/// What we pushed, by address and expiry, so our own decisions are recognised when the stream
/// brings them back (self-echo): they are neither applied as fleet bans nor pushed again.
final class PushLedger: Sendable {
    /// How far apart our expiry and the LAPI's may be (queueing, clocks, rounding).
    static let tolerance: Int64 = 5_000
    private let entries = Mutex<[IPAddress: Int64?]>([:])

    func record(_ address: IPAddress, expiresAt: Int64?) {
        entries.withLock { e in
            let now = WallClock.nowMs()
            if e.count > 100_000 { e = e.filter { $0.value.map { $0 > now } ?? true } }
            e[address] = expiresAt
        }
    }

    /// Whether a decision of our origin for `address` ending at `expiresAt` is one we pushed.
    func isOurs(_ address: IPAddress, expiresAt: Int64) -> Bool {
        entries.withLock { e in
            guard let mine = e[address] else { return false }
            guard let mine else { return true }
            return abs(mine - expiresAt) <= Self.tolerance
        }
    }
}
