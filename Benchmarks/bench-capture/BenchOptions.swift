import TestSupport
import PortsentryCore

/// Command line of bench-capture (`--name value` pairs; see scripts/bench-capture.sh).
struct BenchOptions {
    var senderNamespace = "", senderInterface = "", captureInterface = ""
    var source = IPAddress.v4(0), target = IPAddress.v4(0)
    var port: UInt16 = 31337
    /// Packets per throughput trial (or to send with `--send-only`).
    var packets = 200_000
    var cLoop = ""
    var sendOnly = false
    var sendRate: Double = 0
    /// With `--send-only`: frames sent back to back between clock checks (1 = evenly spaced).
    var burst = 16
    /// `--service-check`: measure the sock_diag confirmation instead, with this many sockets held.
    var serviceCheck = false
    var sockets = 1000

    init(_ args: ArraySlice<String>) {
        var it = args.makeIterator()
        while let key = it.next() {
            if key == "--send-only" { sendOnly = true; continue }
            if key == "--service-check" { serviceCheck = true; continue }
            guard let value = it.next() else { fatalError("\(key) needs a value") }
            switch key {
            case "--sender-ns": senderNamespace = value
            case "--sender-if": senderInterface = value
            case "--capture-if": captureInterface = value
            case "--source": source = IPAddress(value)!
            case "--target": target = IPAddress(value)!
            case "--port": port = UInt16(value)!
            case "--packets": packets = Int(value)!
            case "--c-loop": cLoop = value
            case "--rate": sendRate = Double(value)!
            case "--burst": burst = Int(value)!
            case "--sockets": sockets = Int(value)!
            default: fatalError("unknown option \(key)")
            }
        }
    }
}

/// The capture implementations compared.
enum CapturePath: String, CaseIterable {
    case pcapImmediate = "Swift pcap, immediate mode"
    case pcapBlocks = "Swift pcap, 1 ms blocks"
    case raw = "Swift raw (AF_PACKET ring)"
    case cLoop = "C libpcap loop, immediate mode"
}

/// A SYN probe to the benchmark port.
func probe(from source: IPAddress, to target: IPAddress, port: UInt16) -> ProbeFrame {
    ProbeFrame(source: source, destination: target, transport: .tcp(port: port, flags: .syn))
}
