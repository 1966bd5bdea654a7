import TestSupport
import Foundation
import Glibc
import Logging
import PortsentryCore
import Testing
@testable import Capture

/// Real capture inside fresh network namespaces: frames go out of the scanner's veth end and the
/// sentry (libpcap or AF_PACKET) runs on a thread that entered the other end's namespace.
@Suite(.serialized) struct StealthCaptureTests {
    static let tcp = PortSet([1...1, 79...79, 111...111, 31337...31337, 40000...40010])
    static let udp = PortSet([1...1, 513...513, 31337...31337])

    static func settings(_ method: CaptureMethod, _ interfaces: InterfaceSelection = .allButLoopback,
                         serviceCheck: Bool = false) -> StealthSettings {
        StealthSettings(method: method, interfaces: interfaces, tcpPorts: tcp, udpPorts: udp, serviceCheck: serviceCheck)
    }

    /// Starts a sentry in the network's "a" namespace and waits until it captures.
    static func start(_ settings: StealthSettings, on net: TestNetwork, logger: Logger = Logger(label: "test"))
        throws -> RunningSentry {
        let run = RunningSentry(namespace: net.nsA) { try makeStealthSentry(settings: settings, logger: logger) }
        try run.waitUntilCapturing(net, marker: marker(net))
        return run
    }

    static func marker(_ net: TestNetwork) -> ProbeFrame {
        ProbeFrame(source: net.ipB, destination: net.ipA, transport: .tcp(port: 40010, flags: .syn))
    }

    struct Seen: Hashable {
        var source: IPAddress, destination: IPAddress, proto: TransportProtocol, port: UInt16
        var type: String, ipOptions: IPOptionsState
        init(_ e: ProbeEvent) {
            source = e.source; destination = e.destination; proto = e.proto; port = e.port
            type = e.type.text; ipOptions = e.ipOptions
        }
        init(_ s: IPAddress, _ d: IPAddress, _ p: TransportProtocol, _ port: UInt16, _ t: String, _ o: IPOptionsState) {
            source = s; destination = d; proto = p; self.port = port; type = t; ipOptions = o
        }
    }

    @Test(arguments: [(CaptureMethod.pcap, InterfaceSelection.allButLoopback), (.pcap, .any), (.pcap, .all), (.raw, .all)])
    func deliversExactlyTheProbes(method: CaptureMethod, interfaces: InterfaceSelection) throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let run = try Self.start(Self.settings(method, interfaces), on: net)
        defer { #expect(run.stop()) }
        let (a, b, a6, b6) = (net.ipA, net.ipB, net.ip6A, net.ip6B)
        func tcp(_ s: IPAddress, _ d: IPAddress, _ port: UInt16, _ flags: TCPFlags) -> ProbeFrame {
            ProbeFrame(source: s, destination: d, transport: .tcp(port: port, flags: flags))
        }
        var withOptions = tcp(b, a, 40001, .syn); withOptions.ipv4OptionWords = 2
        var v6Ext = ProbeFrame(source: b6, destination: a6, transport: .udp(port: 31337))
        v6Ext.ipv6Extensions = [.options(type: 0, units: 0), .authentication(lengthField: 1)]
        var v6Xmas = tcp(b6, a6, 40002, [.fin, .psh, .urg]); v6Xmas.ipv6Extensions = [.options(type: 60, units: 1)]
        var v6Later = ProbeFrame(source: b6, destination: a6, transport: .udp(port: 513))
        v6Later.ipv6Extensions = [.fragment(offset: 8)]
        var v4Later = ProbeFrame(source: b, destination: a, transport: .udp(port: 513)); v4Later.ipv4FragmentOffset = 3
        let notLocal = IPAddress("10.254.254.254")!
        try net.send([
            tcp(b, a, 79, .syn), tcp(b, a, 111, .fin), tcp(b, a, 31337, []), tcp(b, a, 1, [.fin, .urg, .psh]),
            tcp(b, a, 40000, [.syn, .fin]), ProbeFrame(source: b, destination: a, transport: .udp(port: 513)),
            withOptions, tcp(b6, a6, 79, .syn), v6Ext, v6Xmas,
            // none of these is a probe to a watched port on a local address:
            tcp(b, a, 79, .ack), tcp(b, a, 79, .rst), tcp(b, a, 79, [.syn, .ack]), tcp(b6, a6, 79, .ack),
            tcp(b, a, 80, .syn), ProbeFrame(source: b, destination: a, transport: .udp(port: 514)),
            tcp(b, notLocal, 79, .syn), v6Later, v4Later,
            ProbeFrame(source: b, destination: a, transport: .other(proto: 1)),
        ])
        let expected: Set<Seen> = [
            Seen(b, a, .tcp, 79, "TCP SYN/Normal scan", .notSet), Seen(b, a, .tcp, 111, "TCP FIN scan", .notSet),
            Seen(b, a, .tcp, 31337, "TCP NULL scan", .notSet), Seen(b, a, .tcp, 1, "TCP XMAS scan", .notSet),
            Seen(b, a, .tcp, 40000, "Unknown Type: TCP Packet Flags: SYN: 1 FIN: 1 ACK: 0 PSH: 0 URG: 0 RST: 0", .notSet),
            Seen(b, a, .udp, 513, "UDP", .notSet), Seen(b, a, .tcp, 40001, "TCP SYN/Normal scan", .set),
            Seen(b6, a6, .tcp, 79, "TCP SYN/Normal scan", .unknown), Seen(b6, a6, .udp, 31337, "UDP", .unknown),
            Seen(b6, a6, .tcp, 40002, "TCP XMAS scan", .unknown),
        ]
        // The marker goes last: once it is seen, every frame before it has been handled.
        #expect(try eventually { try net.send([Self.marker(net)]); return run.sink.received.contains { $0.port == 40010 } })
        let seen = run.sink.received.filter { $0.port != 40010 }
        #expect(Set(seen.map(Seen.init)) == expected)
        #expect(seen.count == expected.count, "no probe delivered twice")
        #expect(seen.allSatisfy { $0.mode == .stealth && $0.seenAt > 0 && $0.seenAt <= MonotonicClock.now() })
    }

    @Test(arguments: [CaptureMethod.pcap, .raw])
    func skipsPortsWithAListenerAndLogsOncePerSourceAndPort(method: CaptureMethod) throws {
        let net = try TestNetwork()
        defer { net.remove() }
        // A TCP listener on [::]:111 (takes IPv4 too) and a UDP socket bound to ipA:513.
        let tcpFD = try Namespace.run(in: net.nsA) { try listener(.tcp, address: nil, port: 111) }
        let udpFD = try Namespace.run(in: net.nsA) { [ipA = net.ipA] in try listener(.udp, address: ipA, port: 513) }
        defer { close(tcpFD); close(udpFD) }
        let log = LogCapture(), logger = log.logger
        let run = try Self.start(Self.settings(method, .all, serviceCheck: true), on: net, logger: logger)
        defer { #expect(run.stop()) }
        let (a, b, a6, b6) = (net.ipA, net.ipB, net.ip6A, net.ip6B)
        let skipped = [
            ProbeFrame(source: b, destination: a, transport: .tcp(port: 111, flags: .syn)),
            ProbeFrame(source: b, destination: a, transport: .tcp(port: 111, flags: .syn)),
            ProbeFrame(source: b6, destination: a6, transport: .tcp(port: 111, flags: .fin)),
            ProbeFrame(source: b, destination: a, transport: .udp(port: 513)),
        ]
        let watched = [
            ProbeFrame(source: b, destination: a, transport: .tcp(port: 79, flags: .syn)),
            ProbeFrame(source: b6, destination: a6, transport: .udp(port: 513)),   // bound on ipA only
            ProbeFrame(source: b, destination: a, transport: .tcp(port: 111, flags: .ack)),   // no probe: no line
        ]
        try net.send(skipped + watched)
        #expect(try eventually { try net.send([Self.marker(net)]); return run.sink.received.contains { $0.port == 40010 } })
        let seen = Set(run.sink.received.filter { $0.port != 40010 }.map { "\($0.source) \($0.port)" })
        #expect(seen == ["\(b) 79", "\(b6) 513"])
        let lines = log.entries.filter { $0.text.contains("a service is running") }
        #expect(lines.map(\.1).sorted() == [LogLine.serviceRunning(b, port: 111), LogLine.serviceRunning(b, port: 513),
                                            LogLine.serviceRunning(b6, port: 111)].sorted())
        #expect(lines.allSatisfy { $0.0 == .notice })
    }

    @Test func deliversProbesToListenersWhenTheServiceCheckIsOff() throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let fd = try Namespace.run(in: net.nsA) { try listener(.tcp, address: nil, port: 111) }
        defer { close(fd) }
        let run = try Self.start(Self.settings(.pcap, serviceCheck: false), on: net)
        defer { #expect(run.stop()) }
        try net.send([ProbeFrame(source: net.ipB, destination: net.ipA, transport: .tcp(port: 111, flags: .syn))])
        #expect(eventually { run.sink.received.contains { $0.port == 111 } })
    }

    @Test(arguments: [CaptureMethod.pcap, .raw])
    func watchesAnAddressAddedAfterStartUp(method: CaptureMethod) throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let run = try Self.start(Self.settings(method), on: net)
        defer { #expect(run.stop()) }
        let added = IPAddress.v4({ if case .v4(let v) = net.ipA { return v + 76 } else { return 0 } }())
        let probe = ProbeFrame(source: net.ipB, destination: added, transport: .tcp(port: 79, flags: .syn))
        try net.send([probe])
        try TestNetwork.ip("-n", net.nsA, "addr", "add", "\(added)/24", "dev", net.ifA)
        #expect(try eventually { try net.send([probe]); return run.sink.received.contains { $0.destination == added } })
    }

    @Test(arguments: [(CaptureMethod.pcap, InterfaceSelection.allButLoopback), (.raw, .all)])
    func countsWhatTheKernelCaptured(method: CaptureMethod, interfaces: InterfaceSelection) throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let run = try Self.start(Self.settings(method, interfaces), on: net)
        defer { #expect(run.stop()) }
        let probes = (0..<50).map { _ in ProbeFrame(source: net.ipB, destination: net.ipA, transport: .tcp(port: 79, flags: .syn)) }
        try net.send(probes)
        // Read by the capture thread once a second: the marker keeps its loop turning.
        #expect(try eventually(within: 10) {
            try net.send([Self.marker(net)])
            let seen = run.statistics.first { $0.interface == (method == .raw ? "any" : net.ifA) }
            return (seen?.received ?? 0) >= 50 && seen?.dropped == 0
        })
    }

    @Test func followsInterfacesThatComeAndGo() throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let run = try Self.start(Self.settings(.pcap), on: net)
        defer { #expect(run.stop()) }
        // A second link, created after start-up (addresses need only be unique inside the namespaces).
        let (ifA2, ifB2) = (net.ifA + "n", net.ifB + "n")
        try TestNetwork.ip("link", "add", ifA2, "netns", net.nsA, "type", "veth", "peer", "name", ifB2, "netns", net.nsB)
        try TestNetwork.ip("-n", net.nsA, "addr", "add", "192.168.77.1/24", "dev", ifA2)
        try TestNetwork.ip("-n", net.nsA, "link", "set", ifA2, "up")
        try TestNetwork.ip("-n", net.nsB, "link", "set", ifB2, "up")
        let onNewLink = ProbeFrame(source: IPAddress("192.168.77.2")!, destination: IPAddress("192.168.77.1")!,
                                   transport: .tcp(port: 79, flags: .syn))
        #expect(try eventually { try net.send([onNewLink], via: ifB2); return run.sink.received.contains { $0.port == 79 } })
        // The first link goes down and comes back: its handle is reopened.
        try TestNetwork.ip("-n", net.nsA, "link", "set", net.ifA, "down")
        try TestNetwork.ip("-n", net.nsA, "link", "set", net.ifA, "up")
        let again = ProbeFrame(source: net.ipB, destination: net.ipA, transport: .tcp(port: 111, flags: .fin))
        #expect(try eventually { try net.send([again]); return run.sink.received.contains { $0.port == 111 } })
        #expect(run.error == nil)
    }

    @Test func namesAnUnknownInterface() throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let run = RunningSentry(namespace: net.nsA) {
            try PcapSentry(settings: Self.settings(.pcap, .named(["nosuch0"])), logger: Logger(label: "t"))
        }
        #expect(eventually { run.error != nil })
        #expect(run.error?.contains("unknown interface nosuch0") == true)
        #expect(run.error?.contains(net.ifA) == true, "the message lists the interfaces that exist")
    }

    @Test(arguments: [CaptureMethod.pcap, .raw])
    func aStopBeforeRunIsNotLost(method: CaptureMethod) throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let sentry = try Namespace.run(in: net.nsA) {
            try makeStealthSentry(settings: Self.settings(method), logger: Logger(label: "t"))
        }
        sentry.stop()
        let run = RunningSentry(namespace: net.nsA) { sentry }
        #expect(run.stop())
        #expect(run.error == nil)
    }
}

/// A listening TCP socket or a bound UDP socket (IPv6 wildcard when `address` is nil).
func listener(_ proto: TransportProtocol, address: IPAddress?, port: UInt16) throws -> Int32 {
    let v4 = address?.family == .inet
    let fd = socket(v4 ? AF_INET : AF_INET6, Int32(proto == .tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    var rc: Int32
    if let address, case .v4(let v) = address {
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET); sa.sin_port = port.bigEndian; sa.sin_addr.s_addr = v.bigEndian
        rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    } else {
        var sa = sockaddr_in6()
        sa.sin6_family = sa_family_t(AF_INET6); sa.sin6_port = port.bigEndian
        rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
    }
    if rc == 0, proto == .tcp { rc = listen(fd, 1) }
    guard rc == 0 else { close(fd); throw TestFailure("bind/listen: errno \(errno)") }
    return fd
}
