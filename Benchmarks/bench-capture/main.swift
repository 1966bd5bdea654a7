// bench-capture: how many probe packets per second each capture path handles with zero loss,
// how long a lone probe waits before it is delivered, against a minimal C libpcap loop; with
// --service-check, what the service check's sock_diag confirmation costs per probe.
// Run by scripts/bench-capture.sh, inside the receiving network namespace; see docs/performance.md.
import Capture
import Foundation
import Glibc
import Logging
import PortsentryCore

let options = BenchOptions(CommandLine.arguments.dropFirst())
if options.serviceCheck {
    try measureServiceCheck(sockets: options.sockets, looks: options.packets)
    exit(0)
}
let sender = try Sender(namespace: options.senderNamespace, interface: options.senderInterface)

if options.sendOnly {
    // Feed a daemon: `count` SYNs from distinct spoofed sources, then exit.
    var sent = 0
    for chunk in stride(from: 0, to: options.packets, by: 65_536) {
        let batch = (chunk..<min(chunk + 65_536, options.packets)).map { i in
            probe(from: .v4(0x0b00_0000 &+ UInt32(i)), to: options.target, port: options.port).bytes()
        }
        sent += sender.send(batch, count: batch.count, rate: options.sendRate, burst: options.burst).sent
    }
    print("sent \(sent) probes from \(sent) sources")
    exit(0)
}

let frame = probe(from: options.source, to: options.target, port: options.port).bytes()
// Paced trials, then a flood (0 = as fast as one sender thread can go: with 2 CPUs, a second
// sender would starve the capture thread rather than test it).
let rates: [Double] = [50_000, 100_000, 200_000, 300_000, 500_000, 0]
var table: [[String]] = []

for path in CapturePath.allCases {
    let result = try path == .cLoop
        ? measureCLoop(options, sender: sender, frame: frame, rates: rates)
        : measureSentry(path, options, sender: sender, frame: frame, rates: rates)
    table.append(result.row(path.rawValue))
    print("# \(path.rawValue): " + result.trials.map {
        "\($0.offered > 0 ? "\(Int($0.offered))" : "flood") offered, \(Int($0.achieved)) sent/s: \($0.received)/\($0.sent)"
    }.joined(separator: "; "))
}
printTable(["path", "max zero-loss pps", "best pps (loss)", "CPU/packet at best", "lone probe p50", "p99"], table)
