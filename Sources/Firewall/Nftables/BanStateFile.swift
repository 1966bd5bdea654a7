import Glibc
import PortsentryCore

/// STATE_FILE: the live bans with absolute expiry, so they come back after a reboot or a
/// `nft flush ruleset`. Text, one ban per line, tab-separated, after a version line:
///
///     portsentry-bans 1
///     <address> <expires ms|never> <hits> <trigger ms|-> <proto|-> <port|-> <type>
///
/// Written atomically (temp file in the same directory, fsync, rename, fsync of the directory):
/// a reader sees the old file or the new one, never a mix.
struct BanStateFile: Sendable {
    let path: String
    static let versionLine = "portsentry-bans 1"

    func write(_ bans: some Sequence<Ban>) throws(NftError) {
        try writeAtomically(Array(BanStateFile.text(of: bans).utf8))
    }

    /// The file's text for `bans`: the version line, then one line per ban.
    static func text(of bans: some Sequence<Ban>) -> String {
        var text = versionLine + "\n"
        for b in bans {
            let origin = b.origin.map(fields(of:))
            let fields = [
                b.address.description, b.expiresAt.map(String.init) ?? "never", String(b.hits),
                b.since.map(String.init) ?? "-", origin?.proto ?? "-", origin?.port ?? "-", origin?.type ?? "-",
            ]
            text += fields.joined(separator: "\t") + "\n"
        }
        return text
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
        do {
            return try BanStateFile.bans(in: data)
        } catch {
            throw .stateFile(path, error.reason)
        }
    }

    /// Why a state file's contents could not be read.
    struct FormatError: Error { var reason: String }

    /// The bans in a state file's contents.
    static func bans(in data: [UInt8]) throws(FormatError) -> [Ban] {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(versionLine) else {
            throw FormatError(reason: "not a portsentry ban state file (first line must be \"\(versionLine)\")")
        }
        var bans: [Ban] = []
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let ban = parse(line) else { throw FormatError(reason: "line \(i + 1) is malformed") }
            bans.append(ban)
        }
        return bans
    }

    /// Free text (a probe type or an admin's reason) as one field: tabs and line breaks
    /// become spaces.
    static func oneField(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }

    static func parse(_ line: Substring) -> Ban? {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard f.count == 7, let address = IPAddress(f[0]), let hits = Int(f[2]), hits >= 0 else { return nil }
        let expires: Int64?
        if f[1] == "never" { expires = nil } else { guard let e = Int64(f[1]) else { return nil }; expires = e }
        guard f[3] != "-" else { return Ban(address: address, expiresAt: expires, hits: hits) }
        guard let since = Int64(f[3]) else { return nil }
        let proto = TransportProtocol(rawValue: String(f[4]))
        let port = UInt16(f[5])
        guard (proto != nil) == (f[4] != "-"), (port != nil) == (f[5] != "-"), (proto != nil) == (port != nil) else { return nil }
        let type = String(f[6])
        let origin: BanOrigin
        if let proto, let port {
            origin = .probe(ProbeEvidence(proto: proto, port: port, type: type))
        } else if type.hasPrefix(fleetPrefix) {
            origin = .fleet(String(type.dropFirst(fleetPrefix.count)))
        } else {
            origin = .manual(reason: type.hasPrefix(manualPrefix) ? String(type.dropFirst(manualPrefix.count)) : nil)
        }
        return Ban(address: address, expiresAt: expires, origin: origin, since: since, hits: hits)
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
