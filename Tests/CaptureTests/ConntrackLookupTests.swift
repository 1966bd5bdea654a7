import Glibc
import PortsentryCore
import Testing
@testable import Capture

/// `ConntrackLookup` against the kernel's connection tracking in a namespace whose firewall is
/// stateful (a `ct state` rule, as on any such host): a flow the host opened is recognised from
/// its answers, and nothing else is.
@Suite(.enabled(if: geteuid() == 0, "needs root for network namespaces"))
struct ConntrackLookupTests {
    @Test func answersToAFlowThisHostOpenedAreRecognised() throws {
        let net = try TestNetwork()
        defer { net.remove() }
        try TestNetwork.ip("netns", "exec", net.nsA, "nft", "add table inet cttest; add chain inet cttest out { type filter hook output priority 0; }; add rule inet cttest out ct state new counter")
        // The host (a) sends a UDP query from port 40001 to b:5353; nothing answers yet.
        let (a, b) = (net.ipA, net.ipB)
        try Namespace.run(in: net.nsA) {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(fd) }
            var local = sockaddr_in(), remote = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET); local.sin_port = UInt16(40001).bigEndian
            remote.sin_family = sa_family_t(AF_INET); remote.sin_port = UInt16(5353).bigEndian
            inet_pton(AF_INET, "\(a)", &local.sin_addr); inet_pton(AF_INET, "\(b)", &remote.sin_addr)
            _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            _ = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, "q", 1, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        // A probe from b (b:6000 → a:31337) is tracked too, but b opened that flow.
        try TestNetwork.ip("netns", "exec", net.nsB, "python3", "-c",
                           "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('\(b)', 6000)); s.sendto(b'p', ('\(a)', 31337))")
        // a's socket is closed now; the answer b:5353 → a:40001 still belongs to a's flow.
        let verdicts = try Namespace.run(in: net.nsA) { () -> [Bool] in
            let lookup = ConntrackLookup()
            return [
                lookup.isReply(.udp, source: b, sourcePort: 5353, destination: a, destinationPort: 40001),
                lookup.isReply(.udp, source: b, sourcePort: 5354, destination: a, destinationPort: 40001),   // another port: no
                lookup.isReply(.udp, source: b, sourcePort: 6000, destination: a, destinationPort: 31337),   // b's probe: b opened it
                lookup.isReply(.udp, source: b, sourcePort: 6001, destination: a, destinationPort: 31337),   // no flow at all
            ]
        }
        #expect(verdicts == [true, false, false, false])
    }
}
