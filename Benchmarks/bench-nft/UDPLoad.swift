import Glibc

/// Counts UDP datagrams arriving on `port` (IPv4, any address) for `seconds` from the first one;
/// returns the count. Gives up `seconds` + 10 s after starting, so a run whose packets are all
/// dropped still ends.
func udpSink(port: UInt16, seconds: Double) -> Int {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    precondition(fd >= 0, "socket: \(errno)")
    defer { close(fd) }
    var size: Int32 = 32 << 20
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, 4)
    var tv = timeval(tv_sec: 0, tv_usec: 100_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
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

/// Sends 64-byte UDP datagrams to `host:port` as fast as one thread can for `seconds`;
/// returns how many were sent.
func udpFlood(host: String, port: UInt16, seconds: Double) -> Int {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    precondition(fd >= 0, "socket: \(errno)")
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    precondition(inet_pton(AF_INET, host, &addr.sin_addr) == 1, "bad address \(host)")
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    precondition(connected == 0, "connect: \(errno)")
    let payload = [UInt8](repeating: 0x55, count: 64)
    let end = nowNs() + UInt64(seconds * 1e9)
    var sent = 0
    while true {
        for _ in 0..<256 where send(fd, payload, payload.count, 0) > 0 { sent += 1 }
        if nowNs() >= end { return sent }
    }
}
