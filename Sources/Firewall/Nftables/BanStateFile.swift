import Glibc
import PortsentryCore

/// STATE_FILE: the live bans with absolute expiry, so they come back after a reboot or a
/// `nft flush ruleset`. Text, one ban per line, tab-separated, after a version line:
///
///     portsentry-bans 2
///     <address or prefix> <expires ms|never> <hits> <trigger ms|-> <proto|-> <port|-> <type> <offence> <seconds|->
///
/// Version 1 (without the last two fields) still loads: its bans are first offences.
/// Written atomically (temp file in the same directory, fsync, rename, fsync of the directory):
/// a reader sees the old file or the new one, never a mix.
struct BanStateFile: Sendable {
    let path: String
    static let versionLine = "portsentry-bans 2"
    static let previousVersionLine = "portsentry-bans 1"

    func write(_ bans: some Sequence<Ban>) throws(NftError) {
        try writeAtomically(Array(BanStateFile.text(of: bans).utf8))
    }

    /// The file's text for `bans`: the version line, then one line per ban.
    static func text(of bans: some Sequence<Ban>) -> String {
        var text = versionLine + "\n"
        for b in bans { text += line(b) + "\n" }
        return text
    }

    /// One ban as its line (without the line break); the journal writes the same lines.
    static func line(_ b: Ban) -> String {
        let origin = b.origin.map(BanStateFile.fields(of:))
        let fields = [
            b.target.description, b.expiresAt.map(String.init) ?? "never", String(b.hits),
            b.since.map(String.init) ?? "-", origin?.proto ?? "-", origin?.port ?? "-", origin?.type ?? "-",
            String(b.offence), b.seconds.map(String.init) ?? "-",
        ]
        return fields.joined(separator: "\t")
    }

    /// The bans in the file; an empty list when the file does not exist.
    func read() throws(NftError) -> [Ban] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw .stateFile(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 { if errno == EINTR { continue }; throw .stateFile(path, String(cString: strerror(errno))) }
            if n == 0 { break }
            data += chunk[0..<n]
        }
        return try BanStateFile.bans(in: data, path: path)
    }

    /// Why a state file's contents could not be read.
    struct FormatError: Error { var reason: String }

    /// The bans in a state file's contents (version 2, or 1).
    static func bans(in data: [UInt8]) throws(FormatError) -> [Ban] {
        do {
            return try bans(in: data, path: "")
        } catch {
            if case .stateFile(_, let reason) = error { throw FormatError(reason: reason) }
            throw FormatError(reason: "\(error)")
        }
    }

    private static func bans(in data: [UInt8], path: String) throws(NftError) -> [Ban] {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let version: Int
        switch lines.first.map({ String(decoding: $0, as: UTF8.self) }) {
        case versionLine?: version = 2
        case previousVersionLine?: version = 1
        default: throw .stateFile(path, "not a portsentry ban state file (first line must be \"\(versionLine)\")")
        }
        return try BanStateFile(path: path).parseLines(lines.dropFirst(), version: version)
    }

    /// Free text (a probe type or an admin's reason) as one field: tabs and line breaks
    /// become spaces.
    static func oneField(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }

    /// The texts of a file's lines, each kept once (100,000 probe bans share a few types).
    final class TextPool {
        private var texts: [Substring: String] = [:]
        func text(_ s: Substring) -> String {
            if let t = texts[s] { return t }
            let t = String(s)
            texts[s] = t
            return t
        }
    }

    /// One line as a ban, nil when malformed; `pool` keeps the free-text fields of many lines once.
    static func parse(_ line: Substring, version: Int = 2, pool: TextPool? = nil) -> Ban? {
        let f = line.utf8.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map(Substring.init)   // bytes: Characters cost more than the parse
        // A prefix ban is written as CIDR text; never one wider than any ban may be.
        guard f.count == (version == 1 ? 7 : 9), let parsed = try? CIDR.parse(f[0]), !parsed.hadHostBits,
              parsed.cidr.prefixLength >= BanPrefixes.shortest(parsed.cidr.family), let hits = Int(f[2]), hits >= 0 else { return nil }
        let expires: Int64?
        if f[1] == "never" { expires = nil } else { guard let e = Int64(f[1]) else { return nil }; expires = e }
        var offence = 1, seconds: UInt64?
        if version >= 2 {
            guard let n = Int(f[7]), n >= 1 else { return nil }
            offence = n
            if f[8] != "-" { guard let s = UInt64(f[8]) else { return nil }; seconds = s }
        }
        guard f[3] != "-" else { return Ban(target: parsed.cidr, expiresAt: expires, hits: hits, offence: offence, seconds: seconds) }
        guard let since = Int64(f[3]) else { return nil }
        let proto = TransportProtocol(rawValue: String(f[4]))
        let port = UInt16(f[5])
        guard (proto != nil) == (f[4] != "-"), (port != nil) == (f[5] != "-"), (proto != nil) == (port != nil) else { return nil }
        let type = pool?.text(f[6]) ?? String(f[6])
        let origin: BanOrigin
        if let proto, let port {
            origin = .probe(ProbeEvidence(proto: proto, port: port, type: type))
        } else if type.hasPrefix(fleetPrefix) {
            origin = .fleet(String(type.dropFirst(fleetPrefix.count)))
        } else {
            origin = .manual(reason: type.hasPrefix(manualPrefix) ? String(type.dropFirst(manualPrefix.count)) : nil)
        }
        return Ban(target: parsed.cidr, expiresAt: expires, origin: origin, since: since, hits: hits, offence: offence, seconds: seconds)
    }

    private static let manualPrefix = "manual: ", fleetPrefix = "fleet: "

    /// An origin as the protocol, port and type fields: a probe's evidence, or `manual`,
    /// `manual: <reason>`, `fleet: <source>` with no protocol or port.
    static func fields(of origin: BanOrigin) -> (proto: String, port: String, type: String) {
        switch origin {
        case .probe(let e): (e.proto.rawValue, String(e.port), oneField(e.type))
        case .manual(let reason): ("-", "-", reason.map { manualPrefix + oneField($0) } ?? "manual")
        case .fleet(let source): ("-", "-", fleetPrefix + oneField(source))
        }
    }

    private func writeAtomically(_ bytes: [UInt8]) throws(NftError) {
        let dir = AtomicFile.directory(of: path)
        if mkdir(dir, 0o700) != 0, errno != EEXIST {
            throw .stateFile(path, "cannot create directory \(dir): \(String(cString: strerror(errno)))")
        }
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw .stateFile(path, "\(error)")
        }
    }
}
