import PortsentryCore

/// Which TCP ports have a listening socket and which UDP ports a bound socket, per local address,
/// as read from `/proc/net/{tcp,tcp6,udp,udp6}` of the capture thread's network namespace.
struct ListenerTable: Sendable {
    private struct Endpoint: Hashable { var address: IPAddress; var port: UInt16 }
    private struct Table {
        var wildcardV4: PortSet = .empty
        /// `::` listeners; they also take IPv4 (Linux's default `bindv6only=0`).
        var wildcardV6: PortSet = .empty
        var specific: Set<Endpoint> = []
    }
    private var tcp = Table()
    private var udp = Table()

    static let empty = ListenerTable()

    /// Whether a socket of `proto` is bound to `port` on `address` (or on a wildcard address).
    func hasListener(_ proto: TransportProtocol, address: IPAddress, port: UInt16) -> Bool {
        let t = proto == .tcp ? tcp : udp
        if t.wildcardV6.contains(port) { return true }
        if address.family == .inet, t.wildcardV4.contains(port) { return true }
        return !t.specific.isEmpty && t.specific.contains(Endpoint(address: address, port: port))
    }

    /// Every port of `proto` with a socket on some address.
    func servedPorts(_ proto: TransportProtocol) -> PortSet {
        let t = proto == .tcp ? tcp : udp
        return t.wildcardV4.union(t.wildcardV6).union(PortSet(t.specific.map { $0.port...$0.port }))
    }

    /// Builds the table from the text of the four proc files.
    init(tcp4: String, tcp6: String, udp4: String, udp6: String) {
        tcp = Self.table(from: [tcp4, tcp6], listenOnly: true)
        udp = Self.table(from: [udp4, udp6], listenOnly: false)
    }

    private init() {}

    private static func table(from files: [String], listenOnly: Bool) -> Table {
        var v4: [ClosedRange<UInt16>] = [], v6: [ClosedRange<UInt16>] = []
        var table = Table()
        for file in files {
            for line in file.split(separator: "\n").dropFirst() {
                guard let (address, port, state) = parse(line), !listenOnly || state == 0x0a else { continue }
                switch address {
                case .v4(0): v4.append(port...port)
                case .v6(0, 0): v6.append(port...port)
                default: table.specific.insert(Endpoint(address: address.unmapped, port: port))
                }
            }
        }
        table.wildcardV4 = PortSet(v4)
        table.wildcardV6 = PortSet(v6)
        return table
    }

    /// One socket line: `  0: 0100007F:0277 00000000:0000 0A ...` (address in the kernel's
    /// native 32-bit words, port in hex, state in hex: 0A = LISTEN).
    static func parse(_ line: Substring) -> (IPAddress, UInt16, UInt8)? {
        let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true)
        guard fields.count >= 4 else { return nil }
        let local = fields[1].split(separator: ":")
        guard local.count == 2, let port = UInt16(local[1], radix: 16), let state = UInt8(fields[3], radix: 16)
        else { return nil }
        let hex = local[0]
        var words: [UInt32] = []
        var start = hex.startIndex
        while start < hex.endIndex {
            guard let end = hex.index(start, offsetBy: 8, limitedBy: hex.endIndex),
                  let w = UInt32(hex[start..<end], radix: 16) else { return nil }
            words.append(UInt32(bigEndian: w))   // native word holding network-order bytes
            start = end
        }
        switch words.count {
        case 1: return (.v4(words[0]), port, state)
        case 4: return (.v6(high: UInt64(words[0]) << 32 | UInt64(words[1]),
                            low: UInt64(words[2]) << 32 | UInt64(words[3])), port, state)
        default: return nil
        }
    }
}
