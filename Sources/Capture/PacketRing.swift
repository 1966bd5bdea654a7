import CLinux
import Glibc
import Synchronization

/// A Linux AF_PACKET socket (`SOCK_DGRAM`, all protocols, all interfaces) with a TPACKET_V2
/// receive ring mapped into memory: the kernel writes packets into the ring and the capture
/// thread reads them in place, so a burst costs one `poll` and no syscall per packet.
/// `ProbeBPF` runs in the kernel first and drops what cannot be a probe.
final class PacketRing {
    let fd: Int32
    private let ring: UnsafeMutableRawPointer
    private let frameSize = 512
    private let frameCount: Int
    private let ringBytes: Int
    private var head = 0
    /// Totals of the kernel's counts (`PACKET_STATISTICS` resets them on every read).
    private var received: UInt64 = 0, dropped: UInt64 = 0
    /// Where a frame's `sockaddr_ll` starts: TPACKET_ALIGN(sizeof(struct tpacket2_hdr)).
    private let addressOffset = (MemoryLayout<tpacket2_hdr>.size + Int(TPACKET_ALIGNMENT) - 1) & ~(Int(TPACKET_ALIGNMENT) - 1)

    init(ringBytes requested: Int32) throws(CaptureError) {
        let fd = socket(AF_PACKET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                        Int32(UInt16(ETH_P_ALL).bigEndian))
        if fd < 0 {
            if errno == EPERM || errno == EACCES { throw .noCapturePermission("cannot open an AF_PACKET socket") }
            throw .system("AF_PACKET socket", errno: errno)
        }
        let blockBytes = 1 << 16
        let blocks = max(1, Int(requested) / blockBytes)
        var request = tpacket_req(tp_block_size: UInt32(blockBytes), tp_block_nr: UInt32(blocks),
                                  tp_frame_size: UInt32(frameSize), tp_frame_nr: UInt32(blocks * (blockBytes / frameSize)))
        do throws(CaptureError) {
            try Self.set(fd, PACKET_VERSION, Int32(TPACKET_V2.rawValue), "PACKET_VERSION")
            // Kernels before 4.20 lack it; outgoing packets are then skipped by their packet type.
            _ = try? Self.set(fd, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING")
            var program = ProbeBPF.program
            let attached = program.withUnsafeMutableBufferPointer { buffer in
                var fprog = sock_fprog(len: UInt16(buffer.count), filter: buffer.baseAddress)
                return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, socklen_t(MemoryLayout<sock_fprog>.size))
            }
            guard attached == 0 else { throw .system("SO_ATTACH_FILTER", errno: errno) }
            guard setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &request, socklen_t(MemoryLayout<tpacket_req>.size)) == 0
            else { throw .system("PACKET_RX_RING", errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        let ringBytes = blocks * blockBytes
        guard let map = mmap(nil, ringBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            let code = errno
            close(fd)
            throw .system("mmap of the packet ring", errno: code)
        }
        self.fd = fd
        self.ringBytes = ringBytes
        ring = map
        frameCount = Int(request.tp_frame_nr)
    }

    /// Hands every filled frame to `body(ipBytes, kernelRealtimeNanoseconds, interfaceIndex)` and
    /// returns it to the kernel.
    @inline(__always)
    func drain(_ body: (UnsafeRawBufferPointer, UInt64, UInt32) -> Void) {
        while true {
            let frame = ring + head * frameSize
            if frame.load(as: UInt32.self) & UInt32(TP_STATUS_USER) == 0 { return }
            atomicMemoryFence(ordering: .acquiring)   // read the packet only after its status
            let header = frame.load(as: tpacket2_hdr.self)
            let packetType = frame.load(fromByteOffset: addressOffset + MemoryLayout<sockaddr_ll>.offset(of: \.sll_pkttype)!,
                                        as: UInt8.self)
            let interface = frame.load(fromByteOffset: addressOffset + MemoryLayout<sockaddr_ll>.offset(of: \.sll_ifindex)!,
                                       as: Int32.self)
            let start = Int(header.tp_net), length = Int(header.tp_snaplen)
            if packetType != PACKET_OUTGOING, start + length <= frameSize {
                body(UnsafeRawBufferPointer(start: frame + start, count: length),
                     UInt64(header.tp_sec) &* 1_000_000_000 &+ UInt64(header.tp_nsec), UInt32(bitPattern: interface))
            }
            atomicMemoryFence(ordering: .releasing)   // done reading before the kernel may refill
            frame.storeBytes(of: UInt32(TP_STATUS_KERNEL), as: UInt32.self)
            head = head + 1 == frameCount ? 0 : head + 1
        }
    }

    /// Packets the ring received and dropped (ring full) since it was opened.
    func statistics() -> (received: UInt64, dropped: UInt64) {
        var counts = tpacket_stats()
        var length = socklen_t(MemoryLayout<tpacket_stats>.size)
        if getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &counts, &length) == 0 {
            received &+= UInt64(counts.tp_packets)
            dropped &+= UInt64(counts.tp_drops)
        }
        return (received, dropped)
    }

    deinit {
        munmap(ring, ringBytes)
        close(fd)
    }

    private static func set(_ fd: Int32, _ name: Int32, _ value: Int32, _ what: String) throws(CaptureError) {
        var v = value
        guard setsockopt(fd, SOL_PACKET, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .system(what, errno: errno)
        }
    }
}
