import Firewall
import Glibc
import Logging
import PortsentryCore

// bench-nft: the nftables backend's figures for docs/performance.md ("Blocking"). Not a test.
// scripts/bench-nft.sh runs every subcommand inside network namespaces it creates; run by hand
// only inside a namespace (`ip netns exec NS bench-nft ...`): they change the firewall.

let usage = """
    usage: bench-nft latency [N]            ban N sources one at a time, then N × fork/exec iptables -I
           bench-nft throughput [N]         ban N distinct sources: one batch, then N concurrent calls
           bench-nft fill N                 leave N bans in table inet portsentry (data-path runs)
           bench-nft fill-prefixes N        leave N IPv6 /64 bans (set banned_v6_64) in table inet portsentry
           bench-nft prefix-latency [N]     ban N IPv6 hosts, then N IPv6 /64s, one at a time
           bench-nft journal-latency [N]    ban N sources one at a time with and without STATE_FILE (its crash journal)
           bench-nft exhaust [N] [SIZE] [BATCH]   N forged sources against NFT_SET_SIZE=SIZE, then one real scanner
           bench-nft sink PORT SECONDS      count UDP datagrams on PORT
           bench-nft flood HOST PORT SECONDS   send 64-byte UDP datagrams as fast as one thread can
    """

func banner(table: String, setSize: Int, prefixes: BanPrefixes = .hosts, stateFile: String? = nil) async throws -> NftablesBackend {
    var logger = Logger(label: "bench-nft")
    logger.logLevel = .warning
    let b = try NftablesBackend(layout: NftLayout(table: table, hook: .prerouting, setSize: setSize, prefixes: prefixes),
                               defaultSeconds: 3600, stateFile: stateFile, logger: logger)
    try await b.start()
    _ = try await b.flushSets()   // leftovers of an earlier run would turn bans into refreshes
    return b
}

/// Distinct IPv4 addresses 10.64.0.0 + i.
func source(_ i: Int) -> IPAddress { .v4(0x0a40_0000 + UInt32(i)) }
/// Distinct IPv6 /64s fd10:0:x:y::/64 (none holds the data-path runs' sender), and a host in each.
func prefix(_ i: Int) -> CIDR { CIDR(address: .v6(high: 0xfd10_0000_0000_0000 + UInt64(i), low: 0), prefixLength: 64) }
func host6(_ i: Int) -> IPAddress { .v6(high: 0xfd20_0000_0000_0000, low: UInt64(i) + 1) }

func latency(_ n: Int) async throws {
    let b = try await banner(table: "benchlat", setSize: 2 * n + 100)
    for i in 0..<50 { _ = try await b.ban(source(n + i)) }   // warm-up
    var nft: [UInt64] = []
    for i in 0..<n {
        let t0 = nowNs()
        _ = try await b.ban(source(i), origin: .manual(reason: nil))
        nft.append(nowNs() - t0)
    }
    let inSet = b.metrics().live[.inet] ?? 0
    await b.shutdown()
    precondition(inSet == n + 50, "expected \(n + 50) bans, found \(inSet)")
    let nftSummary = LatencySummary(nft)
    print("ban latency, libnftables in-process (enqueue -> committed in the kernel set): \(nftSummary)")

    var ipt: [UInt64] = []
    for i in 0..<n {
        let t0 = nowNs()
        let status = spawnAndWait(["iptables", "-I", "INPUT", "-s", source(i).description, "-j", "DROP"])
        ipt.append(nowNs() - t0)
        precondition(status == 0, "iptables failed with status \(status)")
    }
    _ = spawnAndWait(["iptables", "-F", "INPUT"])
    let iptSummary = LatencySummary(ipt)
    print("ban latency, fork/exec iptables -I INPUT -s IP -j DROP: \(iptSummary)")
    print("ratio iptables/nft: p50 \(fmt(iptSummary.p50 / nftSummary.p50))x, p99 \(fmt(iptSummary.p99 / nftSummary.p99))x")
}

func throughput(_ n: Int) async throws {
    let b = try await banner(table: "benchtp", setSize: n + 100)
    var t0 = nowNs()
    let results = await b.ban((0..<n).map { BanRequest(source($0), origin: .manual(reason: nil)) })
    var seconds = Double(nowNs() - t0) / 1e9
    precondition(results.allSatisfy { if case .success(.banned) = $0 { true } else { false } })
    print("throughput, one batch of \(n): \(fmt(seconds * 1000)) ms, \(Int(Double(n) / seconds)) bans/s")

    _ = try await b.flushSets()
    let before = b.metrics().banTransactions
    t0 = nowNs()
    await withTaskGroup(of: Void.self) { group in
        let window = 4096
        for i in 0..<n {
            if i >= window { await group.next() }
            group.addTask { _ = try? await b.ban(source(i)) }
        }
    }
    seconds = Double(nowNs() - t0) / 1e9
    let transactions = b.metrics().banTransactions - before
    let live = b.metrics().live[.inet] ?? 0
    await b.shutdown()
    precondition(live == n, "expected \(n) bans, found \(live)")
    print("throughput, \(n) concurrent ban() calls (4096 in flight): \(fmt(seconds * 1000)) ms, \(Int(Double(n) / seconds)) bans/s, \(transactions) transactions (\(n / max(transactions, 1)) bans each)")
}

func fill(_ n: Int) async throws {
    let b = try await banner(table: "portsentry", setSize: max(65_536, n + 100))
    let results = await b.ban((0..<n).map { BanRequest(source($0)) })
    await b.shutdown()
    precondition(results.allSatisfy { if case .success = $0 { true } else { false } })
    print("filled table inet portsentry with \(n) bans")
}

func fillPrefixes(_ n: Int) async throws {
    let b = try await banner(table: "portsentry", setSize: max(65_536, n + 100), prefixes: .standard)
    let results = await b.ban((0..<n).map { BanRequest(prefix($0)) })
    await b.shutdown()
    precondition(results.allSatisfy { if case .success = $0 { true } else { false } })
    print("filled set banned_v6_64 of table inet portsentry with \(n) prefixes")
}

/// The durations (ns) of `first(i)` and `second(i)` for i in 0..<n, interleaved so both see the same load.
func interleaved(_ n: Int, _ first: (Int) async throws -> Void, _ second: (Int) async throws -> Void) async rethrows
    -> ([UInt64], [UInt64]) {
    var a: [UInt64] = [], b: [UInt64] = []
    for i in 0..<n {
        var t0 = nowNs()
        try await first(i)
        a.append(nowNs() - t0)
        t0 = nowNs()
        try await second(i)
        b.append(nowNs() - t0)
    }
    return (a, b)
}

/// The libnftables add of one element, a host into banned_v6 and a /64 into banned_v6_64.
func prefixLatency(_ n: Int) async throws {
    let b = try await banner(table: "benchpfx", setSize: 2 * n + 100, prefixes: .standard)
    for i in 0..<50 { _ = try await b.ban(host6(n + i)); _ = try await b.ban(prefix(n + i)) }   // warm-up
    let (hosts, prefixes) = try await interleaved(n, { _ = try await b.ban(host6($0)) }, { _ = try await b.ban(prefix($0)) })
    let live = b.metrics().live[.inet6] ?? 0
    await b.shutdown()
    precondition(live == 2 * (n + 50), "expected \(2 * (n + 50)) bans, found \(live)")
    print("add latency, IPv6 host into banned_v6: \(LatencySummary(hosts))")
    print("add latency, IPv6 /64 into banned_v6_64: \(LatencySummary(prefixes))")
}

/// What STATE_FILE costs a ban on the backend's thread (the journal's append; its fdatasync runs
/// on a thread of its own): N single bans into a table without and one with a state file, interleaved.
func journalLatency(_ n: Int) async throws {
    var template = Array("/tmp/bench-journal.XXXXXX".utf8CString)
    guard let dir = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    let directory = String(cString: dir)
    defer { _ = spawnAndWait(["rm", "-rf", directory]) }
    let plain = try await banner(table: "benchnojournal", setSize: 2 * n + 100)
    let kept = try await banner(table: "benchjournal", setSize: 2 * n + 100, stateFile: directory + "/bans.state")
    for i in 0..<50 { _ = try await plain.ban(source(n + i)); _ = try await kept.ban(source(n + i)) }   // warm-up
    let (without, with) = try await interleaved(n, { _ = try await plain.ban(source($0)) }, { _ = try await kept.ban(source($0)) })
    await plain.shutdown()
    await kept.shutdown()
    let a = LatencySummary(without), b = LatencySummary(with)
    print("ban latency without STATE_FILE: \(a)")
    print("ban latency with STATE_FILE (journal append per ban): \(b)")
    print("journal cost: p50 \(fmt(b.p50 - a.p50)) µs, p99 \(fmt(b.p99 - a.p99)) µs")
}

let args = Array(CommandLine.arguments.dropFirst())
func arg(_ i: Int, _ fallback: Int) -> Int { args.count > i ? Int(args[i]) ?? fallback : fallback }
do {
    switch args.first {
    case "latency": try await latency(arg(1, 1000))
    case "throughput": try await throughput(arg(1, 100_000))
    case "fill": try await fill(arg(1, 10))
    case "fill-prefixes": try await fillPrefixes(arg(1, 10))
    case "prefix-latency": try await prefixLatency(arg(1, 1000))
    case "journal-latency": try await journalLatency(arg(1, 1000))
    case "exhaust": try await exhaust(forged: arg(1, 1_000_000), setSize: arg(2, 65_536), batch: arg(3, 1000))
    case "sink" where args.count == 3:
        print("received \(udpSink(port: UInt16(args[1])!, seconds: Double(args[2])!))")
    case "flood" where args.count == 4:
        print("sent \(udpFlood(host: args[1], port: UInt16(args[2])!, seconds: Double(args[3])!))")
    default:
        print(usage); exit(2)
    }
} catch {
    print("bench-nft: \(error)")
    exit(1)
}
