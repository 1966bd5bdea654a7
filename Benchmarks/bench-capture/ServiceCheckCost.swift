import CLinux
import Capture
import Foundation
import Glibc
import PortsentryCore

/// `--service-check`: what the fresh sock_diag look costs per confirmed probe, in the calling
/// thread's network namespace (run by scripts/bench-service-check.sh in a fresh one). First it
/// fills the namespace with `--sockets` established TCP connections over loopback and as many
/// bound UDP sockets, so the kernel has tables to walk; then it times `--packets` looks per case.
func measureServiceCheck(sockets: Int, looks: Int) throws {
    let held = try SocketLoad(count: sockets)
    defer { held.close() }
    let diag = try SocketDiag()
    let v4 = IPAddress("127.0.0.1")!, v6 = IPAddress("::1")!
    let cases: [(String, TransportProtocol, IPAddress, UInt16)] = [
        ("TCP, IPv4, unserved port (2 dumps)", .tcp, v4, 9),
        ("TCP, IPv6, unserved port", .tcp, v6, 9),
        ("UDP, IPv4, unserved port (2 dumps)", .udp, v4, 9),
        ("UDP, IPv6, unserved port", .udp, v6, 9),
        ("UDP, IPv4, bound port", .udp, v4, held.udpPort),
    ]
    var rows: [[String]] = []
    for (name, proto, address, port) in cases {
        var times: [UInt64] = []
        times.reserveCapacity(looks)
        for _ in 0..<looks {
            let start = MonotonicClock.now()
            guard case .success = diag.isServed(proto, address: address, port: port) else { fatalError("sock_diag failed") }
            times.append(MonotonicClock.now() - start)
        }
        times.sort()
        func us(_ q: Int) -> String { String(format: "%.1f µs", Double(times[min(times.count - 1, times.count * q / 100)]) / 1000) }
        rows.append([name, us(50), us(99)])
    }
    print("# \(sockets) TCP connections and \(sockets) UDP sockets in the namespace; \(looks) looks per case")
    printTable(["confirmation", "p50", "p99"], rows)
}

/// Established TCP connections over loopback and bound UDP sockets, held open while measuring.
struct SocketLoad {
    private(set) var fds: [Int32] = []
    /// One of the bound UDP ports.
    private(set) var udpPort: UInt16 = 0

    init(count: Int) throws {
        let server = try Self.socket(SOCK_STREAM, port: 0)
        guard listen(server, Int32(count)) == 0 else { throw BenchError("listen: errno \(errno)") }
        fds.append(server)
        let serverPort = Self.port(of: server)
        for _ in 0..<count {
            let client = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(serverPort)
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { throw BenchError("connect: errno \(errno)") }
            fds += [client, accept(server, nil, nil)]
            let udp = try Self.socket(SOCK_DGRAM, port: 0)
            fds.append(udp)
            udpPort = Self.port(of: udp)
        }
    }

    func close() { fds.forEach { _ = Glibc.close($0) } }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET); a.sin_port = port.bigEndian; a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return a
    }

    private static func socket(_ type: __socket_type, port: UInt16) throws -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(type.rawValue), 0)
        var address = loopback(port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, rc == 0 else { throw BenchError("bind: errno \(errno)") }
        return fd
    }

    private static func port(of fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}

