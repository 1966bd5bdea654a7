import CLinux
import Glibc
import Logging
import PortsentryCore
import Synchronization

/// Connect mode: a real dual-stack socket on `::` for every configured TCP and UDP port.
/// A TCP connection or a UDP datagram is a probe; the peer gets PORT_BANNER when detection
/// says so (docs/daemon.md "The data path", step 4; the banner travels in the verdict, so SIGHUP can change it).
/// One epoll loop on the calling thread serves every socket.
public final class ConnectSentry: Sentry {
    private let tcpPorts: PortSet
    private let udpPorts: PortSet
    private let logger: Logger
    private let wake: WakeSignal
    /// Listening sockets by fd, filled by `prepare` and read by `run` on the same thread
    /// sequence (prepare happens-before run through the daemon's start-up order).
    private let sockets = Mutex<[Int32: (proto: TransportProtocol, port: UInt16)]>([:])

    public init(tcpPorts: PortSet, udpPorts: PortSet, logger: Logger) throws {
        self.tcpPorts = tcpPorts
        self.udpPorts = udpPorts
        self.logger = logger
        wake = try WakeSignal()
    }

    /// Descriptors kept free while binding, for what the daemon opens after its sockets (the
    /// epoll set, the control socket, netlink): with more ports than descriptors, the ports
    /// that fit are still watched.
    static let descriptorHeadroom = 16

    /// Raises the descriptor limit and binds every port; a port in use is logged and skipped.
    public func prepare() throws {
        let limit = FileLimit.raiseToHard()
        let reserved = (0..<Self.descriptorHeadroom).map { _ in Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { for fd in reserved where fd >= 0 { close(fd) } }
        var opened: [Int32: (TransportProtocol, UInt16)] = [:]
        bind: for (proto, ports) in [(TransportProtocol.tcp, tcpPorts), (.udp, udpPorts)] {
            for port in ports.ports {
                switch Self.open(proto, port: port) {
                case .success(let fd):
                    opened[fd] = (proto, port)
                    logger.notice("\(LogLine.listening(proto, port: port))")
                case .failure(let failure) where failure.code == EMFILE || failure.code == ENFILE:
                    logger.error("Out of file descriptors after \(opened.count) sockets (limit \(limit)): \(proto.rawValue) port \(port) and the ports after it are not watched; raise the limit (LimitNOFILE=) or watch fewer ports")
                    break bind
                case .failure(let failure):
                    logger.error("Could not bind \(proto.rawValue) port \(port): \(failure), skipping")
                }
            }
        }
        sockets.withLock { $0 = opened.mapValues { (proto: $0.0, port: $0.1) } }
    }

    public func stop() { wake.signal() }

    public func run(_ sink: any ProbeSink) throws {
        let table = sockets.withLock { $0 }
        defer { for fd in table.keys { close(fd) } }
        let epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw CaptureError.system("epoll_create1", errno: errno) }
        defer { close(epfd) }
        for fd in table.keys + [wake.fd] {
            var ev = epoll_event()
            ev.events = EPOLLIN.rawValue
            ev.data.fd = fd
            guard epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 else {
                throw CaptureError.system("epoll_ctl", errno: errno)
            }
        }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let n = epoll_wait(epfd, &events, Int32(events.count), -1)
            if n < 0 {
                if errno == EINTR { continue }
                throw CaptureError.system("epoll_wait", errno: errno)
            }
            for ev in events[0..<Int(n)] {
                let fd = ev.data.fd
                if fd == wake.fd { return }
                guard let socket = table[fd] else { continue }
                switch socket.proto {
                case .tcp: acceptAll(fd, port: socket.port, sink: sink)
                case .udp: receiveAll(fd, port: socket.port, sink: sink)
                }
            }
        }
    }

    // MARK: - TCP

    private func acceptAll(_ listener: Int32, port: UInt16, sink: any ProbeSink) {
        while true {
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listener, $0, &length, Int32(SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue))
                }
            }
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return   // EAGAIN: drained; anything else: try again on the next wake-up
            }
            defer { close(fd) }
            var local = sockaddr_storage()
            var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            _ = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) }
            }
            guard let source = SocketAddress.ip(peer), let destination = SocketAddress.ip(local) else { continue }
            let verdict = sink.receive(event(.tcp, source: source, destination: destination, port: port))
            if let banner = verdict.banner {
                _ = banner.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    // MARK: - UDP

    private func receiveAll(_ fd: Int32, port: UInt16, sink: any ProbeSink) {
        while let datagram = Datagram.receive(fd) {
            guard let source = SocketAddress.ip(datagram.peer), let destination = datagram.destination else { continue }
            let verdict = sink.receive(event(.udp, source: source, destination: destination, port: port))
            if let banner = verdict.banner { datagram.reply(banner, on: fd) }
        }
    }

    /// Every connect-mode event is `type: [Connect]`, TCP and UDP alike (2.x takes the type from
    /// the mode first; docs/daemon.md "Output").
    private func event(_ proto: TransportProtocol, source: IPAddress, destination: IPAddress, port: UInt16) -> ProbeEvent {
        ProbeEvent(source: source.unmapped, destination: destination.unmapped, proto: proto, port: port,
                   type: .connect, ipOptions: .unknown, mode: .connect,
                   seenAt: MonotonicClock.now())
    }

    // MARK: - Sockets

    private static func open(_ proto: TransportProtocol, port: UInt16) -> Result<Int32, SocketFailure> {
        let type = (proto == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)) | Int32(SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue)
        let fd = socket(AF_INET6, type, 0)
        guard fd >= 0 else { return .failure(SocketFailure(errno)) }
        func fail() -> Result<Int32, SocketFailure> { let e = errno; close(fd); return .failure(SocketFailure(e)) }
        var off: Int32 = 0, on: Int32 = 1
        guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, 4) == 0,
              setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, 4) == 0 else { return fail() }
        if proto == .udp {
            guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_RECVPKTINFO, &on, 4) == 0,
                  setsockopt(fd, Int32(IPPROTO_IP), IP_PKTINFO, &on, 4) == 0 else { return fail() }
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard bound == 0 else { return fail() }
        if proto == .tcp, listen(fd, 64) != 0 { return fail() }
        return .success(fd)
    }
}

/// An errno from socket set-up, printed as the system's text.
struct SocketFailure: Error, CustomStringConvertible {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { String(cString: strerror(code)) }
}
