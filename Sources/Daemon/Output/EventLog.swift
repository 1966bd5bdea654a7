import Control
import Firewall
import Logging
import Metrics
import PortsentryCore
import Synchronization

/// EVENT_LOG: one JSON object per line for every probe the pipeline handles and every ban
/// event (docs/events.md). The pipeline and the ban service only queue a value and never wait:
/// a writer thread encodes and appends, opening the file for each batch so logrotate can move
/// it. When `capacity` values are waiting, further ones are dropped, counted in
/// `portsentry_event_log_dropped_total{reason="buffer_full"}` and logged once per spell; lines
/// lost to a failed write (full disk, read-only directory) count as `reason="write_failed"`
/// and are logged once per failing spell, as the other output files are.
final class EventLog: BanObserver {
    /// Values waiting to be written, at most.
    static let capacity = 65_536
    /// Lines encoded between two appends (one open, one write).
    static let chunk = 512

    private enum Entry: Sendable {
        case probe(ProbeEvent, ProbeResult, micros: Int64)
        case ban(BanEvent, micros: Int64)
    }

    private let queue: WorkQueue<Entry>
    private let writer = SerialThread()
    private let destination: Mutex<Destination?>
    private let logger: Logger
    private let spell = Mutex(DropSpell())
    /// Touched on the writer thread only.
    private let health = Mutex(WriteHealth())
    private let bufferFull: Counter
    private let writeFailed: Counter

    init(_ destination: Destination?, logger: Logger, capacity: Int = EventLog.capacity,
         metrics: any MetricsFactory = MetricsSystem.factory) {
        queue = WorkQueue(limit: capacity)
        self.destination = Mutex(destination)
        self.logger = logger
        let label = MetricName.eventLogDropped.rawValue
        bufferFull = Counter(label: label, dimensions: [("reason", "buffer_full")], factory: metrics)
        writeFailed = Counter(label: label, dimensions: [("reason", "write_failed")], factory: metrics)
        if destination != nil { writer.schedule { [self] in write([]) } }
    }

    /// A reload: the new EVENT_LOG. A file is opened at once, so a bad path is reported now;
    /// the old destination's failures are forgotten.
    func update(_ new: Destination?) {
        let changed = destination.withLock { d in
            defer { d = new }
            return d != new
        }
        guard changed else { return }
        writer.schedule { [self] in
            health.withLock { $0 = WriteHealth() }
            write([])
        }
    }

    /// The line of one probe and what became of it (the pipeline, in event order).
    func record(_ event: ProbeEvent, result: ProbeResult) {
        guard isOn else { return }
        enqueue(.probe(event, result, micros: UTCTimestamp.micros(ofMonotonic: event.seenAt)))
    }

    func observe(_ event: BanEvent) {
        guard isOn else { return }
        enqueue(.ban(event, micros: UTCTimestamp.nowMicros()))
    }

    /// Runs `done` once everything queued so far is written (or dropped).
    func flush(done: @escaping @Sendable () -> Void) {
        writer.schedule { [self] in
            drain()
            done()
        }
    }

    private var isOn: Bool { destination.withLock { $0 != nil } }

    private func enqueue(_ entry: Entry) {
        switch queue.offer(entry) {
        case .first: writer.schedule { [self] in drain() }
        case .queued: break
        case .dropped:
            bufferFull.increment()
            if spell.withLock({ $0.dropped() }) {
                logger.warning("EVENT_LOG: events are being dropped: \(queue.limit) are waiting to be written; they are counted in portsentry_event_log_dropped_total, and this is not logged again until the writer catches up")
            }
        }
    }

    /// On the writer thread: writes what is queued, in chunks.
    private func drain() {
        while case let (batch, _) = queue.takeAll(), !batch.isEmpty {
            var start = 0
            while start < batch.count {
                let end = min(start + Self.chunk, batch.count)
                write(batch[start..<end])
                start = end
            }
        }
        if let count = spell.withLock({ $0.drained() }) {
            logger.notice("EVENT_LOG: the writer caught up; \(count) events were dropped")
        }
    }

    /// On the writer thread: encodes and appends `entries` (none: opens the file only).
    private func write(_ entries: ArraySlice<Entry>) {
        guard let destination = destination.withLock({ $0 }) else { return }
        var names: [UInt32: String] = [:]
        func name(_ index: UInt32) -> String {
            if let known = names[index] { return known }
            let found = InterfaceName.of(index)
            names[index] = found
            return found
        }
        let lines = entries.map { entry in
            switch entry {
            case .probe(let event, let result, let micros):
                JSONLine.encode(EventRecord(probe: event, result: result, micros: micros, interfaceName: name))
            case .ban(let event, let micros):
                JSONLine.encode(EventRecord(ban: event, micros: micros))
            }
        }
        let err = destination.append(lines)
        if err != nil { writeFailed.increment(by: Int64(lines.count)) }
        if let report = health.withLock({ $0.record(destination.name, errno: err) }) { logger.log(report) }
    }
}
