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
        var st = stat()
        if fstat(fd, &st) == 0 { data.reserveCapacity(max(Int(st.st_size), 0) + 1) }   // 7.4 MB for 100,000 bans: no regrowth
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
        try data.withUnsafeBufferPointer { (text) throws(NftError) -> [Ban] in
            let firstEnd = text.firstIndex(of: UInt8(ascii: "\n")) ?? text.count
            let version: Int
            switch String(decoding: UnsafeBufferPointer(rebasing: text[..<firstEnd]), as: UTF8.self) {
            case versionLine: version = 2
            case previousVersionLine: version = 1
            default: throw .stateFile(path, "not a portsentry ban state file (first line must be \"\(versionLine)\")")
            }
            let body = UnsafeBufferPointer(rebasing: text[min(firstEnd + 1, text.count)...])
            return try BanStateFile(path: path).parseLines(body, version: version)
        }
    }

    /// Free text (a probe type or an admin's reason) as one field: tabs and line breaks
    /// become spaces.
    static func oneField(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }

    /// The texts of a file's lines, each kept once (100,000 probe bans share a few types);
    /// a line with the same text as the one before costs a comparison of bytes.
    final class TextPool {
        private var texts: [String: String] = [:]
        private var last: (bytes: [UInt8], text: String)?
        func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            if let last, last.bytes.elementsEqual(bytes) { return last.text }
            let fresh = String(decoding: bytes, as: UTF8.self)
            let text = texts[fresh] ?? fresh
            texts[text] = text
            last = (Array(bytes), text)
            return text
        }
    }

    /// One line as a ban, nil when malformed; `pool` keeps the free-text fields of many lines once.
    static func parse(_ line: Substring, version: Int = 2, pool: TextPool? = nil) -> Ban? {
        var line = line
        return line.withUTF8 { parse(bytes: $0, version: version, pool: pool ?? TextPool()) }
    }

    /// `parse` of a line's UTF-8 bytes (no line break), read field by field: no text is made but
    /// the type (once per pool) and the address of anything but an IPv4 host (docs/performance.md,
    /// "Restart with many bans").
    static func parse(bytes line: UnsafeBufferPointer<UInt8>, version: Int, pool: TextPool) -> Ban? {
        var fields = StateFileFields(line)
        guard let target = fields.next().flatMap(banTarget(in:)), let expiresField = fields.next(),
              let hits = fields.next().flatMap(DecimalField.init)?.int, hits >= 0,
              let sinceField = fields.next(), let protoField = fields.next(), let portField = fields.next(),
              let typeField = fields.next() else { return nil }
        let expires: Int64?
        if StateFileFields.equal(expiresField, "never") { expires = nil } else {
            guard let e = DecimalField(expiresField)?.int64 else { return nil }
            expires = e
        }
        var offence = 1, seconds: UInt64?
        if version >= 2 {
            guard let n = fields.next().flatMap(DecimalField.init)?.int, n >= 1, let secondsField = fields.next() else { return nil }
            offence = n
            if !StateFileFields.equal(secondsField, "-") {
                guard let s = DecimalField(secondsField)?.uint64 else { return nil }
                seconds = s
            }
        }
        guard fields.atEnd else { return nil }
        guard !StateFileFields.equal(sinceField, "-") else {
            return Ban(target: target, expiresAt: expires, hits: hits, offence: offence, seconds: seconds)
        }
        guard let since = DecimalField(sinceField)?.int64 else { return nil }
        let proto = protocols.first { StateFileFields.equal(protoField, $0.rawValue) }
        let port = DecimalField(portField)?.uint16
        guard (proto != nil) == !StateFileFields.equal(protoField, "-"), (port != nil) == !StateFileFields.equal(portField, "-"),
              (proto != nil) == (port != nil) else { return nil }
        let type = pool.text(typeField)
        let origin: BanOrigin
        if let proto, let port {
            origin = .probe(ProbeEvidence(proto: proto, port: port, type: type))
        } else if type.hasPrefix(fleetPrefix) {
            origin = .fleet(String(type.dropFirst(fleetPrefix.count)))
        } else {
            origin = .manual(reason: type.hasPrefix(manualPrefix) ? String(type.dropFirst(manualPrefix.count)) : nil)
        }
        return Ban(target: target, expiresAt: expires, origin: origin, since: since, hits: hits, offence: offence, seconds: seconds)
    }

    /// A ban's target field: a host or a network (CIDR text), never one wider than any ban may be.
    private static func banTarget(in field: UnsafeBufferPointer<UInt8>) -> CIDR? {
        if let v4 = IPAddress.parseV4(bytes: field) { return CIDR(host: .v4(v4)) }   // the usual line
        guard let parsed = try? CIDR.parse(String(decoding: field, as: UTF8.self)), !parsed.hadHostBits,
              parsed.cidr.prefixLength >= BanPrefixes.shortest(parsed.cidr.family) else { return nil }
        return parsed.cidr
    }

    private static let manualPrefix = "manual: ", fleetPrefix = "fleet: "
    private static let protocols: [TransportProtocol] = [.tcp, .udp]

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
