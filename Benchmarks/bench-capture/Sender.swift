import CLinux
import Capture
import Dispatch
import Foundation
import Glibc
import PortsentryCore
import Synchronization

/// Sends prebuilt Ethernet frames out of one interface of another network namespace through an
/// AF_PACKET socket (opened inside that namespace; the descriptor keeps it), paced to a rate.
final class Sender: Sendable {
    private let fd: Int32
    private let address: sockaddr_ll

    init(namespace: String, interface: String) throws {
        let opened = DispatchSemaphore(value: 0)
        let box = Mutex<(Int32, Int32)>((-1, 0))
        Thread {
            if (try? NetworkNamespace.enter(namespace)) != nil {
                let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0), index = Int32(if_nametoindex(interface))
                box.withLock { $0 = (fd, index) }
            }
            opened.signal()
        }.start()
        opened.wait()
        let result = box.withLock { $0 }
        guard result.0 >= 0, result.1 > 0 else { throw BenchError("cannot open a packet socket on \(interface) in \(namespace)") }
        fd = result.0
        var bypass: Int32 = 1   // PACKET_QDISC_BYPASS: straight to the driver
        setsockopt(fd, SOL_PACKET, 20, &bypass, 4)
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_ifindex = result.1
        self.address = address
    }

    /// Sends `count` frames (cycling through `frames`) at `rate` packets/s (0 = as fast as possible),
    /// checking the clock every `burst` frames; returns how many went out and the achieved rate.
    @discardableResult
    func send(_ frames: [[UInt8]], count: Int, rate: Double, burst: Int = 16) -> (sent: Int, rate: Double) {
        var address = address
        let start = now()
        var sent = 0
        for i in 0..<count {
            if rate > 0, i % burst == 0 {
                let due = start + UInt64(Double(i) / rate * 1e9)
                while now() < due {}
            }
            let frame = frames[i % frames.count]
            let n = frame.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
                    }
                }
            }
            if n == frame.count { sent += 1 }
        }
        let seconds = Double(now() - start) / 1e9
        return (sent, Double(sent) / max(seconds, 1e-9))
    }

    deinit { close(fd) }
}

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
