import Capture
import Foundation
import Glibc
import Logging
import PortsentryCore
import Synchronization

struct Trial {
    var offered: Double, achieved: Double, sent: Int, received: Int
    /// CPU time of the capture thread (or the C process) per received packet, nanoseconds.
    var cpuPerPacket: Double
}

struct PathResult {
    var trials: [Trial] = []
    /// Capture delay of a lone probe, nanoseconds: median and 99th percentile.
    var p50: UInt64 = 0, p99: UInt64 = 0

    mutating func setDelays(_ delays: [UInt64]) {
        let sorted = delays.sorted()
        guard !sorted.isEmpty else { return }
        p50 = sorted[sorted.count / 2]
        p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    }

    func row(_ name: String) -> [String] {
        let clean = trials.filter { $0.received == $0.sent }.map(\.achieved).max()
        let best = trials.max { $0.achieved < $1.achieved }
        func pct(_ ns: UInt64) -> String { String(format: "%.0f µs", Double(ns) / 1000) }
        // CPU per packet under the heaviest load, where per-wake-up costs are spread the most.
        let cpu = best.map { String(format: "%.0f ns", $0.cpuPerPacket) } ?? "-"
        let bestText = best.map { String(format: "%.0f (%.2f%% lost)", $0.achieved, 100 * Double($0.sent - $0.received) / Double(max($0.sent, 1))) } ?? "-"
        return [name, clean.map { String(format: "%.0f", $0) } ?? "none", bestText, cpu, pct(p50), pct(p99)]
    }
}

/// Polls until `value()` reaches `target` or stops changing for 300 ms (deadline 5 s).
func settle(_ target: Int, _ value: () -> Int) -> Int {
    let deadline = now() + 5_000_000_000
    var last = value(), lastChange = now()
    while now() < deadline, last < target {
        usleep(5_000)
        let v = value()
        if v != last { last = v; lastChange = now() } else if now() - lastChange > 300_000_000 { break }
    }
    return last
}

let loneProbes = 300

func measureSentry(_ path: CapturePath, _ options: BenchOptions, sender: Sender, frame: [UInt8], rates: [Double]) throws -> PathResult {
    var settings = StealthSettings(method: path == .raw ? .raw : .pcap, interfaces: .named([options.captureInterface]),
                                   tcpPorts: PortSet([options.port...options.port]), udpPorts: .empty, serviceCheck: false)
    settings.pcapImmediateMode = path != .pcapBlocks
    let sentry = try makeStealthSentry(settings: settings, logger: Logger(label: "bench"))
    try sentry.prepare()
    let sink = CountingSink(port: options.port)
    let finished = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
    let thread = Mutex<pthread_t?>(nil)
    Thread {
        thread.withLock { $0 = pthread_self() }
        started.signal()
        try? sentry.run(sink)
        finished.signal()
    }.start()
    defer { sentry.stop(); finished.wait() }
    started.wait()
    var clock = clockid_t()
    pthread_getcpuclockid(thread.withLock { $0! }, &clock)
    func cpu() -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
    // Warm up: send until the sentry delivers (its handles and filters are live).
    let deadline = now() + 5_000_000_000
    while sink.received == 0, now() < deadline { sender.send([frame], count: 1, rate: 0); usleep(10_000) }
    guard sink.received > 0 else { throw BenchError("\(path.rawValue) never delivered a probe") }
    var result = PathResult()
    for rate in rates {
        let before = sink.received, cpuBefore = cpu()
        let (sent, achieved) = sender.send([frame], count: options.packets, rate: rate)
        let received = settle(sent) { sink.received - before }
        result.trials.append(Trial(offered: rate, achieved: achieved, sent: sent, received: received,
                                   cpuPerPacket: Double(cpu() - cpuBefore) / Double(max(received, 1))))
    }
    sink.startRecordingDelays()
    for _ in 0..<loneProbes {   // spaced like the C loop's, nothing else running meanwhile
        sender.send([frame], count: 1, rate: 0)
        usleep(2_300)
    }
    result.setDelays(sink.takeDelays())
    return result
}

/// Runs the C loop once per trial: it prints "ready" once its filter is set, counts the probes
/// and exits after `expected` packets or one idle second, printing "count p50ns p99ns cpuns".
func measureCLoop(_ options: BenchOptions, sender: Sender, frame: [UInt8], rates: [Double]) throws -> PathResult {
    let filter = CaptureFilter.expression(addresses: [options.target], tcpPorts: PortSet([options.port...options.port]),
                                          udpPorts: .empty)
    func run(expected: Int, delays: Bool, _ send: () -> (Int, Double)) throws -> (Int, Double, [UInt64]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: options.cLoop)
        p.arguments = [options.captureInterface, filter, String(options.port), delays ? "delay" : "count", String(expected)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var text = ""
        while !text.contains("ready") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { throw BenchError("the C loop ended before it was ready") }
            text += String(decoding: data, as: UTF8.self)
        }
        let (_, achieved) = send()
        p.waitUntilExit()
        text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let fields = text.split(whereSeparator: \.isWhitespace).dropFirst().compactMap { UInt64($0) }
        guard fields.count == 4 else { throw BenchError("unexpected C loop output: \(text)") }
        return (Int(fields[0]), achieved, Array(fields[1...]))
    }
    var result = PathResult()
    for rate in rates {
        var sentCount = 0
        let (received, achieved, stats) = try run(expected: options.packets, delays: false) {
            let r = sender.send([frame], count: options.packets, rate: rate)
            sentCount = r.sent
            return r
        }
        result.trials.append(Trial(offered: rate, achieved: achieved, sent: sentCount, received: received,
                                   cpuPerPacket: Double(stats[2]) / Double(max(received, 1))))
    }
    let (_, _, percentiles) = try run(expected: loneProbes, delays: true) {
        for _ in 0..<loneProbes { sender.send([frame], count: 1, rate: 0); usleep(2_300) }
        return (loneProbes, 0)
    }
    result.p50 = percentiles[0]
    result.p99 = percentiles[1]
    return result
}

func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max()! }
    func line(_ r: [String]) -> String {
        "| " + r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: " | ") + " |"
    }
    print(line(header))
    print("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
    rows.forEach { print(line($0)) }
}
