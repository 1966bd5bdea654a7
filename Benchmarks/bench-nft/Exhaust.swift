import Firewall
import Glibc
import Logging
import PortsentryCore

/// `exhaust`: `forged` distinct forged sources against a set of `setSize`, through the ban
/// service on the backend's thread in batches of `batch` (as the daemon's pipeline applies
/// them), then one real scanner, which must be banned. Prints times, evictions and memory.
func exhaust(forged: Int, setSize: Int, batch: Int) async throws {
    let b = try await banner(table: "benchfull", setSize: setSize)
    let service = BanService(backend: b, policy: BanPolicy(banSeconds: 3600, ignoreList: .empty), blockedFile: nil,
                             localAddresses: { [] }, logger: Logger(label: "bench-nft"))
    let origin = BanOrigin.probe(ProbeEvidence(proto: .tcp, port: 31337, type: "TCP SYN/Normal scan", mode: .stealth))
    // Sources 10.128.0.0 + i: a forged flood, one ban each, BAN_TIME 1 h.
    func decisions(_ range: Range<Int>) -> [BanDecision] {
        range.map { BanDecision(target: CIDR(host: .v4(0x0a80_0000 + UInt32($0))), seconds: 3600, origin: origin) }
    }
    func applied(_ range: Range<Int>) async -> [BanResult] {
        await withCheckedContinuation { done in
            let work = decisions(range)
            service.schedule { done.resume(returning: service.apply(work)) }
        }
    }
    var banned = 0, displaced = 0, phaseStart = nowNs(), fillSeconds = 0.0, filled = forged
    let t0 = phaseStart
    for start in stride(from: 0, to: forged, by: batch) {
        if start >= setSize, fillSeconds == 0 {
            fillSeconds = Double(nowNs() - phaseStart) / 1e9
            phaseStart = nowNs()
            filled = start
        }
        for r in await applied(start..<min(start + batch, forged)) {
            if r.status == .banned { banned += 1 }
            displaced += r.displaced.count
        }
    }
    if filled == forged { fillSeconds = Double(nowNs() - phaseStart) / 1e9; phaseStart = nowNs() }
    let evictSeconds = Double(nowNs() - phaseStart) / 1e9, total = Double(nowNs() - t0) / 1e9
    print("forged: \(forged) sources in batches of \(batch), NFT_SET_SIZE=\(setSize): \(banned) banned, \(displaced) evicted, \(fmt(total, 2)) s")
    print("  first \(filled) bans (the set fills): \(fmt(fillSeconds, 2)) s (\(Int(Double(filled) / max(fillSeconds, 1e-9))) bans/s); the other \(forged - filled), each evicting one: \(fmt(evictSeconds, 2)) s (\(Int(Double(forged - filled) / max(evictSeconds, 1e-9))) bans/s)")

    let scanner = IPAddress.v4(0xc633_6407)   // 198.51.100.7, after the flood
    let t1 = nowNs()
    let result = await withCheckedContinuation { done in
        service.schedule {
            done.resume(returning: service.apply([BanDecision(target: CIDR(host: scanner), seconds: 3600, origin: origin)])[0])
        }
    }
    let scannerUs = Double(nowNs() - t1) / 1000
    let live = b.metrics().live[.inet] ?? 0
    print("real scanner \(scanner): \(result.status), evicted \(result.displaced.map(\.address.description)), \(fmt(scannerUs)) µs; banned now: \(b.isBanned(scanner)); bans in the table: \(live)")
    print("memory: VmHWM \(procStatus("VmHWM")), VmRSS \(procStatus("VmRSS"))")
    await b.shutdown()
    precondition(result.status == .banned && b.isBanned(scanner) && live == setSize, "the real scanner was not banned in a full set")
}

/// A line of /proc/self/status (`VmHWM`: peak resident memory).
func procStatus(_ key: String) -> String {
    guard let f = fopen("/proc/self/status", "r") else { return "?" }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), f) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix(key + ":") { return text.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ") }
    }
    return "?"
}
