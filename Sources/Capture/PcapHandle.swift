import CPcap
import Glibc
import PortsentryCore

/// One activated, non-blocking libpcap handle on one interface, with its decode context.
/// Used and closed on the capture thread.
final class PcapHandle {
    let interface: String
    let fd: Int32
    private let pcap: OpaquePointer
    private let context: DispatchContext
    private(set) var filter = ""
    /// libpcap's counts are 32-bit: totals of their increments, so that a wrap is no reset.
    private var received = WrappingTotal(), dropped = WrappingTotal()

    /// What the C callback needs: passed through libpcap's `user` pointer.
    final class DispatchContext {
        let link: LinkType
        /// The handle's interface index (0 for `any`, whose packets may come from any interface).
        let interface: UInt32
        var gate: ProbeGate?
        var realtimeOffset: UInt64 = 0
        init(link: LinkType, interface: UInt32) { self.link = link; self.interface = interface }
    }

    init(interface: String, settings: StealthSettings) throws(CaptureError) {
        self.interface = interface
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let p = pcap_create(interface, &errbuf) else {
            throw CaptureError("cannot open interface \(interface): \(String(nulTerminated: errbuf))")
        }
        pcap_set_snaplen(p, 256)
        pcap_set_promisc(p, 0)
        pcap_set_buffer_size(p, settings.bufferBytes)
        pcap_set_tstamp_precision(p, Int32(PCAP_TSTAMP_PRECISION_NANO))
        if settings.pcapImmediateMode {
            pcap_set_immediate_mode(p, 1)
        } else {
            pcap_set_timeout(p, settings.pcapTimeoutMilliseconds)
        }
        let rc = pcap_activate(p)
        if rc < 0 {
            let detail = String(cString: pcap_geterr(p))
            pcap_close(p)
            switch rc {
            case PCAP_ERROR_PERM_DENIED: throw .noCapturePermission("cannot capture on \(interface)")
            case PCAP_ERROR_NO_SUCH_DEVICE: throw CaptureError("cannot capture on \(interface): no such interface")
            case PCAP_ERROR_IFACE_NOT_UP: throw CaptureError("cannot capture on \(interface): the interface is down")
            default: throw CaptureError("cannot capture on \(interface): \(detail) (pcap_activate \(rc))")
            }
        }
        let dlt = pcap_datalink(p)
        guard let link = LinkType(dlt: dlt) else {
            pcap_close(p)
            throw CaptureError("cannot capture on \(interface): unsupported link type \(dlt)")
        }
        // Incoming only: what the host sends itself is no probe (loopback shows both copies).
        pcap_setdirection(p, PCAP_D_IN)
        guard pcap_setnonblock(p, 1, &errbuf) == 0, case let fd = pcap_get_selectable_fd(p), fd >= 0 else {
            pcap_close(p)
            throw CaptureError("cannot capture on \(interface): no selectable descriptor")
        }
        pcap = p
        self.fd = fd
        context = DispatchContext(link: link, interface: interface == "any" ? 0 : if_nametoindex(interface))
    }

    /// Compiles and installs a filter expression (no-op if unchanged).
    func setFilter(_ expression: String) throws(CaptureError) {
        if expression == filter { return }
        var program = bpf_program()
        guard pcap_compile(pcap, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError("cannot compile the capture filter for \(interface): \(String(cString: pcap_geterr(pcap)))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(pcap, &program) == 0 else {
            throw CaptureError("cannot set the capture filter on \(interface): \(String(cString: pcap_geterr(pcap)))")
        }
        filter = expression
    }

    /// Hands every packet that is waiting to `gate`; false when the handle failed (interface gone).
    func dispatch(to gate: ProbeGate) -> Bool {
        context.gate = gate
        context.realtimeOffset = MonotonicClock.realtimeOffset()
        let user = Unmanaged.passUnretained(context).toOpaque().assumingMemoryBound(to: UInt8.self)
        let rc = pcap_dispatch(pcap, -1, { user, header, bytes in
            guard let user, let header, let bytes else { return }
            let context = Unmanaged<DispatchContext>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue()
            guard let gate = context.gate else { return }
            let buffer = UnsafeRawBufferPointer(start: bytes, count: Int(header.pointee.caplen))
            guard let packet = PacketDecoder.decode(buffer, link: context.link) else { return }
            let ts = header.pointee.ts   // nanoseconds in tv_usec: PCAP_TSTAMP_PRECISION_NANO
            let realtime = UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_usec)
            gate.handle(packet, seenAt: realtime &- context.realtimeOffset, interface: context.interface)
        }, user)
        return rc >= 0
    }

    /// Packets received and dropped (buffer full) since the handle was opened.
    var statistics: CaptureStatistics {
        var counts = pcap_stat()
        if pcap_stats(pcap, &counts) == 0 {
            received.advance(to: counts.ps_recv)
            dropped.advance(to: counts.ps_drop)
        }
        return CaptureStatistics(interface: interface, received: received.total, dropped: dropped.total)
    }

    /// The last error text of the handle.
    var lastError: String { String(cString: pcap_geterr(pcap)) }

    deinit { pcap_close(pcap) }
}

/// The running total of a 32-bit counter that wraps.
struct WrappingTotal {
    private var last: UInt32 = 0
    private(set) var total: UInt64 = 0

    mutating func advance(to value: UInt32) {
        total &+= UInt64(value &- last)
        last = value
    }
}
