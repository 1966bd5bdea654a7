import CLinux
import Glibc
import PortsentryCore

/// A fresh, exact look at the sockets bound to one port: a NETLINK_SOCK_DIAG socket, opened once
/// on the capture thread (so in its network namespace), asked one dump per address family.
/// A reply that takes longer than `timeoutMicroseconds` fails the look rather than stall capture.
/// Public for bench-capture's cost measurement.
public final class SocketDiag {
    private let fd: Int32
    private var sequence: UInt32 = 0
    private var buffer = [UInt8](repeating: 0, count: 32 << 10)

    public init(timeoutMicroseconds: Int = 50_000) throws(CaptureError) {
        fd = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_SOCK_DIAG)
        guard fd >= 0 else { throw .system("sock_diag socket", errno: errno) }
        var limit = timeval()
        limit.tv_sec = timeoutMicroseconds / 1_000_000
        limit.tv_usec = timeoutMicroseconds % 1_000_000
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            let code = errno
            close(fd)
            throw .system("sock_diag SO_RCVTIMEO", errno: code)
        }
    }

    deinit { close(fd) }

    /// Whether a `proto` socket bound to `port` serves `address` (`DiagSocket.serves`). An IPv4
    /// address is also served by IPv6 sockets (dual-stack `::`, IPv4-mapped addresses).
    public func isServed(_ proto: TransportProtocol, address: IPAddress, port: UInt16) -> Result<Bool, CaptureError> {
        let families = address.family == .inet ? [AF_INET, AF_INET6] : [AF_INET6]
        for family in families {
            switch sockets(proto, family: family, port: port) {
            case .success(let found) where found.contains(where: { $0.serves(address) }): return .success(true)
            case .success: continue
            case .failure(let error): return .failure(error)
            }
        }
        return .success(false)
    }

    /// The `proto` sockets of `family` bound to local `port` (in `states`, default: what the
    /// service check needs): one request, replies until NLMSG_DONE.
    func sockets(_ proto: TransportProtocol, family: Int32, port: UInt16, states: UInt32? = nil) -> Result<[DiagSocket], CaptureError> {
        sequence &+= 1
        let request = SocketDiagMessage.request(proto, family: family, port: port, sequence: sequence, states: states)
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = request.withUnsafeBytes { bytes in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == request.count else { return .failure(.system("sock_diag send", errno: errno)) }
        var found: [DiagSocket] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.system("sock_diag receive", errno: errno))
            }
            guard let reply = buffer.withUnsafeBytes({ SocketDiagMessage.parse(UnsafeRawBufferPointer(rebasing: $0[..<n]), sequence: sequence) })
            else { return .failure(CaptureError("sock_diag: malformed reply")) }
            if let error = reply.error { return .failure(.system("sock_diag dump", errno: error)) }
            found += reply.sockets
            if reply.done { return .success(found) }
        }
    }
}
