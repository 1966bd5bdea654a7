import Glibc
import PortsentryCore
import Synchronization

/// STATE_FILE's append-only journal, so a crash followed by a reboot (kernel sets gone) loses at
/// most the bans of the last `syncIntervalMs`: every committed ban and lift is appended at once
/// (one `write(2)`, no wait for the disk) to `STATE_FILE.journal.<n>`, and a flusher makes the
/// appends durable together (`fdatasync`) every `syncIntervalMs` (group commit). Each state-file
/// write starts a new segment and, once the snapshot is on disk, deletes the segments it covers.
/// At start-up the state file plus the segments in order give the bans as they were.
///
///     portsentry-journal 1
///     + <state-file ban line>
///     - <address or prefix>
final class BanJournal: Sendable {
    static let syncIntervalMs = 50
    static let versionLine = "portsentry-journal 1"

    let statePath: String
    /// The segment appends go to. Its file is open only between an append and the next sync,
    /// so an idle daemon holds no file open for writing (a read-only remount of its directory works).
    private struct Segment {
        var number: Int
        var fd: Int32 = -1
        var unsynced = false
    }
    private let current: Mutex<Segment?>
    /// The segment the first checkpoint opens: after those on disk, which `replay` reads first.
    private let firstNumber: Int
    /// Whether appends and syncs work: a failing spell is reported once, and its end once.
    private let health = Mutex(WriteHealth())
    private let closed = Atomic<Bool>(false)
    private let report: @Sendable (WriteHealth.Report) -> Void

    /// Appends wait for the first `checkpoint()` (the start-up state write) to open a segment.
    init(statePath: String, report: @escaping @Sendable (WriteHealth.Report) -> Void) {
        self.statePath = statePath
        self.report = report
        current = Mutex(nil)
        firstNumber = (BanJournal.segments(of: statePath).last ?? 0) + 1
        DedicatedThread.startRequired { [self] in
            while !closed.load(ordering: .relaxed) {
                usleep(UInt32(BanJournal.syncIntervalMs) * 1000)
                sync()
            }
        }
    }

    /// The numbers of the segments on disk, ascending.
    static func segments(of statePath: String) -> [Int] {
        let dir = AtomicFile.directory(of: statePath)
        let prefix = String(statePath.dropFirst(dir.count + 1)) + ".journal."
        let numbers = (DirectoryListing.names(in: dir) ?? []).compactMap { name in
            name.hasPrefix(prefix) ? Int(name.dropFirst(prefix.count)).flatMap { $0 > 0 ? $0 : nil } : nil
        }
        return numbers.sorted()
    }

    func path(_ number: Int) -> String { "\(statePath).journal.\(number)" }

    // MARK: Writing (the backend's thread)

    /// Appends committed bans.
    func banned(_ bans: some Sequence<Ban>) { append(bans.map { "+\t" + BanStateFile.line($0) }) }

    /// Appends lifted bans.
    func lifted(_ targets: some Sequence<CIDR>) { append(targets.map { "-\t\($0)" }) }

    private func append(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        // The write's errno, nil when it worked; nothing at all when there is no segment to
        // write to (its opening failed and was reported): that is no write that worked.
        let attempt = current.withLock { segment -> Int32?? in
            guard var s = segment else { return .none }
            defer { segment = s }
            if s.fd < 0 { s.fd = Glibc.open(path(s.number), O_WRONLY | O_APPEND | O_CLOEXEC) }
            guard s.fd >= 0 else { return errno }
            s.unsynced = true
            return .some(BanJournal.writeAll(s.fd, bytes) ? nil : errno)
        }
        if let failure = attempt { note(failure) }
    }

    /// Makes the appends so far durable and closes the file until the next append; the flusher
    /// calls it every `syncIntervalMs`. The disk is waited for outside the lock.
    func sync() {
        let fd = current.withLock { segment -> Int32? in
            guard var s = segment, s.unsynced, s.fd >= 0 else { return nil }
            defer { s.fd = -1; s.unsynced = false; segment = s }
            return s.fd
        }
        guard let fd else { return }
        note(fdatasync(fd) == 0 ? nil : errno)
        Glibc.close(fd)
    }

    /// A state-file snapshot is being taken: later appends go to a new segment. Returns the
    /// number of the first segment the snapshot does not cover.
    func checkpoint() -> Int {
        current.withLock { segment in
            let next = segment.map { $0.number + 1 } ?? firstNumber
            if let s = segment, s.fd >= 0 { fdatasync(s.fd); Glibc.close(s.fd) }
            segment = open(next)
            return next
        }
    }

    /// The snapshot taken at `checkpoint()` returning `next` is on disk: the segments before it go.
    func discard(before next: Int) {
        for n in BanJournal.segments(of: statePath) where n < next { unlink(path(n)) }
    }

    /// Syncs and closes the current segment (shutdown, after the last state write).
    func close() {
        closed.store(true, ordering: .relaxed)
        current.withLock { segment in
            if let s = segment, s.fd >= 0 { fdatasync(s.fd); Glibc.close(s.fd) }
            segment = nil
        }
    }

    private func open(_ number: Int) -> Segment? {
        let dir = AtomicFile.directory(of: statePath)
        if mkdir(dir, 0o700) != 0, errno != EEXIST {
            note(errno)
            return nil
        }
        let fd = Glibc.open(path(number), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            note(errno)
            return nil
        }
        _ = BanJournal.writeAll(fd, Array((BanJournal.versionLine + "\n").utf8))
        return Segment(number: number, fd: fd, unsynced: true)
    }

    /// Records one append, sync or open that failed with `code`, or worked (nil).
    private func note(_ code: Int32?) {
        if let line = health.withLock({ $0.record("ban journal \(statePath).journal", errno: code) }) { report(line) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 { if errno == EINTR { continue }; return false }
            done += n
        }
        return true
    }

    // MARK: Reading (start-up)

    /// `saved` (the state file's bans, a later line of a target winning) with every segment on
    /// disk applied in order; malformed lines (a torn last line after a crash) are skipped and
    /// counted. Segments without entries (a clean stop) and a file without a repeated target
    /// give `saved` back as it is: 100,000 bans copied into a table and out again cost a start
    /// ~50 ms.
    static func replay(_ saved: [Ban], statePath: String) -> (bans: [Ban], skipped: Int) {
        var texts: [String] = []
        for n in segments(of: statePath) {
            if case .text(let text) = TextFile.contents(of: "\(statePath).journal.\(n)") { texts.append(text) }
        }
        let entries = texts.contains { $0.split(separator: "\n").contains { $0 != Substring(versionLine) } }
        if !entries, !repeatsTarget(saved) { return (saved, 0) }
        var bans: [CIDR: Ban] = [:], skipped = 0
        bans.reserveCapacity(saved.count)
        for b in saved { bans[b.target] = b }
        for text in texts { skipped += apply(text, to: &bans) }
        return (Array(bans.values), skipped)
    }

    /// Whether two bans share a target (a hand-edited file). The IPv4 hosts' addresses are
    /// sorted and compared side by side: a hash set of 100,000 targets cost a start ~18 ms.
    static func repeatsTarget(_ bans: [Ban]) -> Bool {
        var hosts: [UInt32] = []
        hosts.reserveCapacity(bans.count)
        var others = Set<CIDR>()
        for ban in bans {
            if ban.target.isHost, case .v4(let address) = ban.target.network {
                hosts.append(address)
            } else if !others.insert(ban.target).inserted {
                return true
            }
        }
        hosts.sort()
        return zip(hosts, hosts.dropFirst()).contains { $0 == $1 }
    }

    /// Applies one segment's text to `bans`; returns how many lines it could not read (a
    /// segment without its version line counts every line).
    static func apply(_ text: String, to bans: inout [CIDR: Ban]) -> Int {
        let lines = text.split(separator: "\n")
        guard lines.first == Substring(versionLine) else { return lines.count }
        var skipped = 0
        for line in lines.dropFirst() {
            if line.hasPrefix("+\t"), let ban = BanStateFile.parse(line.dropFirst(2)) {
                bans[ban.target] = ban
            } else if line.hasPrefix("-\t"), let target = try? CIDR.parse(line.dropFirst(2)).cidr {
                bans[target] = nil
            } else {
                skipped += 1
            }
        }
        return skipped
    }
}
