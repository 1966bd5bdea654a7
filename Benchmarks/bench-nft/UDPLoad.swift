import Glibc

/// Counts UDP datagrams arriving on `port` (IPv4 and IPv6, any address) for `seconds` from the
/// first one; returns the count. Gives up `seconds` + 10 s after starting, so a run whose packets
/// are all dropped still ends.
func udpSink(port: UInt16, seconds: Double) -> Int {
    let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
    precondition(fd >= 0, "socket: \(errno)")
    defer { close(fd) }
    var size: Int32 = 32 << 20
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, 4)
    var off: Int32 = 0
    setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, 4)
    var tv = timeval(tv_sec: 0, tv_usec: 100_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in6()
    addr.sin6_family = sa_family_t(AF_INET6)
    addr.sin6_port = port.bigEndian
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
    }
    precondition(bound == 0, "bind: \(errno)")
    print("ready"); fflush(nil)
    var buffer = [UInt8](repeating: 0, count: 2048)
    var count = 0
    var first: UInt64 = 0
    let giveUp = nowNs() + UInt64((seconds + 10) * 1e9)
    while nowNs() < giveUp {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n >= 0 {
            if count == 0 { first = nowNs() }
            count += 1
        }
        if first != 0, Double(nowNs() - first) / 1e9 >= seconds { return count }
        if n < 0, errno != EAGAIN, errno != EINTR { return count }
    }
    return count
}

/// Sends 64-byte UDP datagrams to `host:port` (IPv4 or IPv6) as fast as one thread can for
/// `seconds`; returns how many were sent.
func udpFlood(host: String, port: UInt16, seconds: Double) -> Int {
    let v6 = host.contains(":")
    let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    precondition(fd >= 0, "socket: \(errno)")
    defer { close(fd) }
    var addr4 = sockaddr_in(), addr6 = sockaddr_in6()
    addr4.sin_family = sa_family_t(AF_INET); addr4.sin_port = port.bigEndian
    addr6.sin6_family = sa_family_t(AF_INET6); addr6.sin6_port = port.bigEndian
    let parsed = v6 ? inet_pton(AF_INET6, host, &addr6.sin6_addr) : inet_pton(AF_INET, host, &addr4.sin_addr)
    precondition(parsed == 1, "bad address \(host)")
    func connectTo<T>(_ a: inout T) -> Int32 {
        withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<T>.size)) } }
    }
    let connected = v6 ? connectTo(&addr6) : connectTo(&addr4)
    precondition(connected == 0, "connect: \(errno)")
    let payload = [UInt8](repeating: 0x55, count: 64)
    let end = nowNs() + UInt64(seconds * 1e9)
    var sent = 0
    while true {
        for _ in 0..<256 where send(fd, payload, payload.count, 0) > 0 { sent += 1 }
        if nowNs() >= end { return sent }
    }
}
