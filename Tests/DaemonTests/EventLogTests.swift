import Dispatch
import Firewall
import Glibc
import Logging
import MetricsTestKit
import PortsentryCore
import Testing
import TestSupport
@testable import Daemon

/// EVENT_LOG's writer: lines reach the file in order, a file moved away is replaced, the queue
/// is bounded and its drops are counted, failed writes are logged once per spell.
@Suite struct EventLogTests {
    let scanner = IPAddress("192.0.2.7")!

    func event(port: UInt16) -> ProbeEvent {
        ProbeEvent(source: scanner, destination: IPAddress("192.0.2.1")!, proto: .tcp, port: port, type: .tcpSyn,
                   ipOptions: .notSet, mode: .stealth, seenAt: MonotonicClock.now())
    }

    func lines(_ path: String) -> [String] {
        (readText(path) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits until everything queued so far is written.
    func flush(_ log: EventLog) {
        let done = DispatchSemaphore(value: 0)
        log.flush { done.signal() }
        done.wait()
    }

    func dropped(_ metrics: TestMetrics, _ reason: String) -> Int64 {
        (try? metrics.expectCounter("portsentry_event_log_dropped_total", [("reason", reason)]).totalValue) ?? 0
    }

    @Test func linesArriveInOrderWithEveryKind() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let log = EventLog(.file(dir + "/events"), logger: LogCapture().logger)
        log.record(event(port: 1), result: .untriggered)
        log.observe(.released(BanRelease(address: scanner, reason: .flushed)))
        log.record(event(port: 2), result: .alreadyBlocked)
        flush(log)
        let written = lines(dir + "/events")
        #expect(written.count == 3)
        #expect(written[0].contains(#""port":1"#) && written[0].contains(#""result":"untriggered""#))
        #expect(written[1].contains(#""kind":"unban""#) && written[1].contains(#""reason":"flushed""#))
        #expect(written[2].contains(#""port":2"#) && written[2].contains(#""result":"already_blocked""#))
    }

    @Test func theFileIsOpenedAtStartAndItsModeIsPrivate() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let log = EventLog(.file(dir + "/events"), logger: LogCapture().logger)
        flush(log)
        var st = stat()
        #expect(stat(dir + "/events", &st) == 0)
        #expect(st.st_size == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func aFileMovedAwayIsReplacedByANewOne() throws {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let path = dir + "/events"
        let log = EventLog(.file(path), logger: LogCapture().logger)
        log.record(event(port: 1), result: .untriggered)
        flush(log)
        try #require(rename(path, path + ".1") == 0)
        log.record(event(port: 2), result: .untriggered)
        flush(log)
        #expect(lines(path + ".1").count == 1 && lines(path + ".1")[0].contains(#""port":1"#))
        #expect(lines(path).count == 1 && lines(path)[0].contains(#""port":2"#))
    }

    @Test func offLogsNothingAndAReloadTurnsItOn() {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let log = EventLog(nil, logger: LogCapture().logger)
        log.record(event(port: 1), result: .untriggered)
        flush(log)
        #expect(readText(dir + "/events") == nil)
        log.update(.file(dir + "/events"))
        log.record(event(port: 2), result: .untriggered)
        flush(log)
        #expect(lines(dir + "/events").count == 1)
        log.update(nil)
        log.record(event(port: 3), result: .untriggered)
        flush(log)
        #expect(lines(dir + "/events").count == 1)
    }

    /// A writer stuck in open(2) (a FIFO nobody reads) never holds up the callers: the queue
    /// keeps `capacity` values, the rest are dropped and counted, with one warning for the
    /// spell and one notice when the writer has caught up.
    @Test func aStuckWriterDropsBeyondTheBoundAndCountsThem() throws {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let fifo = dir + "/events"
        try #require(mkfifo(fifo, 0o600) == 0)
        let metrics = TestMetrics()
        let capture = LogCapture()
        let log = EventLog(.file(fifo), logger: capture.logger, capacity: 4, metrics: metrics)
        for port in 1...10 { log.record(event(port: UInt16(port)), result: .untriggered) }
        #expect(dropped(metrics, "buffer_full") == 6)
        #expect(capture.texts.filter { $0.hasPrefix("EVENT_LOG: events are being dropped") }.count == 1)

        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        var text = ""
        #expect(eventually {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(reader, &buffer, buffer.count)
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) }
            return text.split(separator: "\n").count == 4
        })
        #expect(text.split(separator: "\n").map { $0.contains(#""port":"#) } == [true, true, true, true])
        #expect(text.contains(#""port":1,"#) && text.contains(#""port":4,"#) && !text.contains(#""port":5,"#))
        // The next drain without drops ends the spell.
        log.record(event(port: 11), result: .untriggered)
        flush(log)
        #expect(capture.texts.contains("EVENT_LOG: the writer caught up; 6 events were dropped"))
        #expect(dropped(metrics, "write_failed") == 0)
    }

    @Test func failedWritesAreLoggedOncePerSpellAndCounted() throws {
        let dir = makeTempDir(); defer { removeTree(dir) }
        let path = dir + "/missing/events"
        let metrics = TestMetrics()
        let capture = LogCapture()
        let log = EventLog(.file(path), logger: capture.logger, metrics: metrics)
        for port in 1...3 {
            log.record(event(port: UInt16(port)), result: .untriggered)
            flush(log)
        }
        let errors = capture.entries.filter { $0.level == .error }.map(\.text)
        #expect(errors == ["Unable to write event log \(path): No such file or directory; banning goes on, and this is not logged again until writing works"])
        #expect(dropped(metrics, "write_failed") == 3)
        try #require(mkdir(dir + "/missing", 0o700) == 0)
        log.record(event(port: 4), result: .untriggered)
        flush(log)
        #expect(capture.texts.last == "event log \(path) is written again (4 writes had failed)")
        #expect(lines(path).count == 1)
    }
}
