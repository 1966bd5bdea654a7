import Foundation
import PortsentryCore
import Synchronization

/// The watcher's queue: bans waiting for the LAPI, bounded (the oldest goes when it is full),
/// kept in CROWDSEC_QUEUE_FILE so a restart or a LAPI outage loses nothing still live. Adding
/// only appends in memory and wakes the sender; the sender writes the file.
final class PushQueue: Sendable {
    let capacity: Int
    private let path: String
    private struct State { var items: [PushItem]; var dropped: UInt64 = 0; var dirty = false }
    private let state: Mutex<State>
    private let wake: AsyncStream<Void>.Continuation
    /// Yields when items arrive (at most one pending wake-up).
    let wakeUps: AsyncStream<Void>

    init(path: String, capacity: Int = 10_000) {
        self.path = path
        self.capacity = capacity
        let saved = Self.load(path).filter { $0.isLive(at: WallClock.nowMs()) }.suffix(capacity)
        state = Mutex(State(items: Array(saved)))
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if !saved.isEmpty { wake.yield() }
    }

    /// Queues `item` (never blocks on I/O).
    func add(_ item: PushItem) {
        state.withLock { s in
            s.items.append(item)
            if s.items.count > capacity { s.items.removeFirst(s.items.count - capacity); s.dropped += 1 }
            s.dirty = true
        }
        wake.yield()
    }

    /// Up to `limit` items from the front, expired ones removed first.
    func front(_ limit: Int, now: Int64 = WallClock.nowMs()) -> [PushItem] {
        state.withLock { s in
            let before = s.items.count
            s.items.removeAll { !$0.isLive(at: now) }
            if s.items.count != before { s.dirty = true }
            return Array(s.items.prefix(limit))
        }
    }

    /// Removes the first `count` items once they were delivered.
    func removeFront(_ count: Int) {
        state.withLock { s in s.items.removeFirst(min(count, s.items.count)); s.dirty = true }
    }

    var depth: Int { state.withLock { $0.items.count } }
    var dropped: UInt64 { state.withLock { $0.dropped } }

    /// Writes the file when the queue changed since the last save; the error text otherwise nil.
    func save() -> String? {
        let items: [PushItem]? = state.withLock { s in
            defer { s.dirty = false }
            return s.dirty ? s.items : nil
        }
        guard let items else { return nil }
        var bytes: [UInt8] = []
        let encoder = JSONEncoder()
        for item in items {
            guard let line = try? encoder.encode(item) else { continue }
            bytes += line; bytes.append(10)
        }
        do {
            try AtomicFile.write(bytes, to: path)
            return nil
        } catch {
            state.withLock { $0.dirty = true }
            return "cannot write the CrowdSec queue \(path): \(error)"
        }
    }

    /// The saved queue; unreadable lines are skipped.
    private static func load(_ path: String) -> [PushItem] {
        guard case .text(let text) = TextFile.contents(of: path) else { return [] }
        let decoder = JSONDecoder()
        return text.split(whereSeparator: \.isNewline).compactMap { try? decoder.decode(PushItem.self, from: Data($0.utf8)) }
    }
}
