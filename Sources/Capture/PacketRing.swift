import Glibc
import Synchronization

/// A Linux AF_PACKET socket (`SOCK_DGRAM`, all protocols, all interfaces) with a TPACKET_V2
/// receive ring mapped into memory: the kernel writes packets into the ring and the capture
/// thread reads them in place, so a burst costs one `poll` and no syscall per packet.
/// A classic BPF program in the kernel drops what cannot be a probe (TCP with ACK or RST, non-IP).
final class PacketRing {
    let fd: Int32
    private let ring: UnsafeMutableRawPointer
    private let frameSize = 512
    private let frameCount: Int
    private let ringBytes: Int
    private var head = 0

    init(ringBytes: Int32) throws(CaptureError) {
        fd = socket(AF_PACKET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                    Int32(UInt16(Linux.ethPAll).bigEndian))
        if fd < 0 {
            if errno == EPERM || errno == EACCES { throw .noCapturePermission("cannot open an AF_PACKET socket") }
            throw .system("AF_PACKET socket", errno: errno)
        }
        let blockBytes = 1 << 16
        let blocks = max(1, Int(ringBytes) / blockBytes)
        frameCount = blocks * (blockBytes / frameSize)
        self.ringBytes = blocks * blockBytes
        let fd = self.fd
        do throws(CaptureError) {
            try Self.set(fd, Linux.solPacket, Linux.packetVersion, Int32(Linux.tpacketV2), "PACKET_VERSION")
            // Kernels before 4.20 lack it; outgoing packets are then skipped by their packet type.
            _ = try? Self.set(fd, Linux.solPacket, Linux.packetIgnoreOutgoing, Int32(1), "PACKET_IGNORE_OUTGOING")
            try Self.attach(ProbeBPF.program, to: fd)
            let request: [UInt32] = [UInt32(blockBytes), UInt32(blocks), UInt32(frameSize), UInt32(frameCount)]
            let rc = request.withUnsafeBytes {
                setsockopt(fd, Linux.solPacket, Linux.packetRxRing, $0.baseAddress, socklen_t($0.count))
            }
            guard rc == 0 else { throw .system("PACKET_RX_RING", errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        guard let map = mmap(nil, self.ringBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            let code = errno
            close(fd)
            throw .system("mmap of the packet ring", errno: code)
        }
        ring = map
    }

    /// Hands every filled frame to `body(ipBytes, kernelRealtimeNanoseconds)` and returns it to the kernel.
    @inline(__always)
    func drain(_ body: (UnsafeRawBufferPointer, UInt64) -> Void) {
        while true {
            let frame = ring + head * frameSize
            let status = frame.load(as: UInt32.self)
            if status & Linux.tpStatusUser == 0 { return }
            atomicMemoryFence(ordering: .acquiring)   // read the packet only after its status
            let snaplen = Int(frame.load(fromByteOffset: 8, as: UInt32.self))
            let net = Int(frame.load(fromByteOffset: 14, as: UInt16.self))
            let packetType = frame.load(fromByteOffset: Linux.tpacket2HeaderBytes + 10, as: UInt8.self)
            if packetType != Linux.packetOutgoing, net + snaplen <= frameSize {
                let seconds = UInt64(frame.load(fromByteOffset: 16, as: UInt32.self))
                let nanos = UInt64(frame.load(fromByteOffset: 20, as: UInt32.self))
                body(UnsafeRawBufferPointer(start: frame + net, count: snaplen), seconds &* 1_000_000_000 &+ nanos)
            }
            atomicMemoryFence(ordering: .releasing)   // done reading before the kernel may refill
            frame.storeBytes(of: Linux.tpStatusKernel, as: UInt32.self)
            head = head + 1 == frameCount ? 0 : head + 1
        }
    }

    /// Packets the kernel dropped because the ring was full, since the last call.
    func takeDrops() -> UInt32 {
        var stats: (packets: UInt32, drops: UInt32) = (0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: stats))
        guard getsockopt(fd, Linux.solPacket, Linux.packetStatistics, &stats, &length) == 0 else { return 0 }
        return stats.drops
    }

    deinit {
        munmap(ring, ringBytes)
        close(fd)
    }

    private static func set(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ what: String)
        throws(CaptureError) {
        var v = value
        guard setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .system(what, errno: errno)
        }
    }

    private static func attach(_ program: [ProbeBPF.Instruction], to fd: Int32) throws(CaptureError) {
        var instructions = program
        let rc = instructions.withUnsafeMutableBufferPointer { buffer in
            var fprog = ProbeBPF.Program(length: UInt16(buffer.count), instructions: buffer.baseAddress)
            return setsockopt(fd, SOL_SOCKET, Linux.soAttachFilter, &fprog, socklen_t(MemoryLayout<ProbeBPF.Program>.size))
        }
        guard rc == 0 else { throw .system("SO_ATTACH_FILTER", errno: errno) }
    }
}
