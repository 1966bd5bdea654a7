import TestSupport
import Foundation
import Glibc
import Synchronization
import PortsentryCore

/// Two fresh network namespaces joined by a veth pair, with private IPv4/IPv6 addresses: the
/// sentry side "a" and the scanner side "b". Removed by `remove()`; names are unique per test.
final class TestNetwork: Sendable {
    let nsA: String, nsB: String, ifA: String, ifB: String
    let ipA: IPAddress, ipB: IPAddress, ip6A: IPAddress, ip6B: IPAddress

    private static let counter = Mutex(0)

    init() throws {
        let n = Self.counter.withLock { $0 += 1; return $0 }
        let tag = "\(getpid() % 10000)x\(n)"
        nsA = "pca\(tag)"; nsB = "pcb\(tag)"; ifA = "ta\(tag)"; ifB = "tb\(tag)"
        let x = Int(getpid() % 200) + 20, y = n % 250
        ipA = IPAddress("10.\(x).\(y).1")!; ipB = IPAddress("10.\(x).\(y).2")!
        ip6A = IPAddress("fd00:\(x):\(y)::1")!; ip6B = IPAddress("fd00:\(x):\(y)::2")!
        try Self.ip("netns", "add", nsA)
        try Self.ip("netns", "add", nsB)
        try Self.ip("link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB)
        try Self.ip("-n", nsA, "addr", "add", "\(ipA)/24", "dev", ifA)
        try Self.ip("-n", nsB, "addr", "add", "\(ipB)/24", "dev", ifB)
        try Self.ip("-n", nsA, "-6", "addr", "add", "\(ip6A)/64", "dev", ifA, "nodad")
        try Self.ip("-n", nsB, "-6", "addr", "add", "\(ip6B)/64", "dev", ifB, "nodad")
        for (ns, dev) in [(nsA, ifA), (nsB, ifB)] {
            try Self.ip("-n", ns, "link", "set", "lo", "up")
            try Self.ip("-n", ns, "link", "set", dev, "up")
        }
    }

    func remove() {
        try? Self.ip("netns", "del", nsA)
        try? Self.ip("netns", "del", nsB)
    }

    /// Runs `ip ARGS...` and fails if it exits non-zero.
    static func ip(_ args: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TestFailure("ip \(args.joined(separator: " ")) failed") }
    }

    /// Sends frames out of the scanner's interface (or `via`, another interface in its namespace)
    /// from an AF_PACKET socket opened in its namespace.
    func send(_ frames: [ProbeFrame], via: String? = nil) throws {
        let ifB = via ?? ifB
        let fd = try Namespace.run(in: nsB) { socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0) }
        guard fd >= 0 else { throw TestFailure("AF_PACKET socket: errno \(errno)") }
        defer { close(fd) }
        let index = try Namespace.run(in: nsB) { [ifB] in Int32(if_nametoindex(ifB)) }
        // struct sockaddr_ll: family, protocol, ifindex, hatype, pkttype, halen, addr[8].
        var address = [UInt8](repeating: 0, count: 20)
        address[0] = UInt8(AF_PACKET); withUnsafeBytes(of: index) { address.replaceSubrange(4..<8, with: $0) }
        for frame in frames {
            let bytes = frame.bytes(link: .ethernet)
            let sent = address.withUnsafeBytes { a in
                bytes.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, 0, a.baseAddress!.assumingMemoryBound(to: sockaddr.self), 20)
                }
            }
            guard sent == bytes.count else { throw TestFailure("sendto: errno \(errno)") }
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
