import Glibc
import Synchronization
import Logging
import PortsentryCore
@testable import Firewall

/// A network namespace made for one test, removed by `withNamespace` when the test ends.
/// Everything that changes firewall state happens inside it.
struct TestNamespace: Sendable {
    let name: String
    var path: String { "/run/netns/\(name)" }

    /// Runs `nft ARGS` inside the namespace; returns stdout, throws with stderr on failure.
    @discardableResult
    func nft(_ args: String..., stdin: String? = nil) throws -> String {
        try run(["ip", "netns", "exec", name, "nft"] + args, stdin: stdin)
    }

    /// The elements of one of `layout`'s sets, with the time left in milliseconds (nil = none),
    /// read from `nft list set` text output (milliseconds; the JSON output truncates to seconds).
    func elements(_ layout: NftLayout, _ family: AddressFamily) throws -> [String: Int?] {
        try elements(layout, set: layout.setName(family))
    }

    /// The same for the set named `set` (a prefix set: `banned_v6_64`).
    func elements(_ layout: NftLayout, set: String) throws -> [String: Int?] {
        let text = try nft("list", "set", "inet", layout.table, set)
        guard let open = text.range(of: "elements = {") else { return [:] }
        let body = text[open.upperBound...].prefix { $0 != "}" }
        var out: [String: Int?] = [:]
        for item in body.split(separator: ",") {
            let words = item.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            guard let address = words.first else { continue }
            let expires = words.firstIndex(of: "expires").map { parseNftTime(words[$0 + 1]) }
            out[String(address)] = expires
        }
        return out
    }
}

/// Milliseconds in an nft time such as `59m59s976ms` or `1d2h`.
func parseNftTime(_ text: some StringProtocol) -> Int {
    var total = 0, number = 0
    var chars = Array(text)[...]
    while let c = chars.first {
        chars = chars.dropFirst()
        if let d = c.wholeNumberValue { number = number * 10 + d; continue }
        if c == "m", chars.first == "s" { chars = chars.dropFirst(); total += number; number = 0; continue }
        let unit = ["d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000][c] ?? 0
        total += number * unit; number = 0
    }
    return total
}

/// Creates a uniquely named namespace, runs `body`, and deletes the namespace however it ends.
func withNamespace(_ body: (TestNamespace) async throws -> Void) async throws {
    let ns = TestNamespace(name: "psnft\(getpid() % 100_000)x\(namespaceCounter.next())")
    try run(["ip", "netns", "add", ns.name])
    defer { _ = try? run(["ip", "netns", "del", ns.name]) }
    try await body(ns)
}

private final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
private let namespaceCounter = Counter()

/// Runs a command to completion; returns stdout, throws with its stderr if it fails.
/// Output goes to unlinked temporary files, not pipes, and only the child's exit is awaited:
/// tests run in parallel, and a pipe end inherited by another test's long-lived child would
/// otherwise keep a read blocked (and a cooperative thread with it).
@discardableResult
func run(_ argv: [String], stdin: String? = nil) throws -> String {
    let out = try ScratchFile(), err = try ScratchFile(), input = try ScratchFile(stdin ?? "")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, input.fd, 0)
    posix_spawn_file_actions_adddup2(&actions, out.fd, 1)
    posix_spawn_file_actions_adddup2(&actions, err.fd, 2)
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, environ)
    guard rc == 0 else { throw CommandFailure(command: argv.joined(separator: " "), status: -1, stderr: String(cString: strerror(rc))) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    guard status == 0 else {
        throw CommandFailure(command: argv.joined(separator: " "), status: status, stderr: err.contents())
    }
    return out.contents()
}

/// An unlinked temporary file, closed on exec in this process (a child gets it only by dup2).
private final class ScratchFile {
    let fd: Int32

    init(_ initial: String = "") throws {
        var template = Array("/tmp/psnft-run.XXXXXX".utf8CString)
        fd = mkstemp(&template)
        guard fd >= 0 else { throw CommandFailure(command: "mkstemp", status: errno, stderr: "") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = initial.utf8.withContiguousStorageIfAvailable { write(fd, $0.baseAddress, $0.count) }
        lseek(fd, 0, SEEK_SET)
    }

    deinit { close(fd) }

    /// Everything in the file.
    func contents() -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var offset: off_t = 0
        while true {
            let n = pread(fd, &chunk, chunk.count, offset)
            if n <= 0 { break }
            data += chunk[0..<n]; offset += off_t(n)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    var command: String, status: Int32, stderr: String
    var description: String { "\(command) exited \(status): \(stderr)" }
}

/// A banner inside `ns` with a small layout; the caller shuts it down.
func makeBanner(_ ns: TestNamespace, table: String = "portsentry", setSize: Int = 65_536, seconds: UInt64 = 3600,
                stateFile: String? = nil, prefixes: BanPrefixes = .hosts) throws -> NftablesBackend {
    var logger = Logger(label: "nft-test")
    logger.logLevel = .debug
    return try NftablesBackend(layout: NftLayout(table: table, hook: .prerouting, setSize: setSize, prefixes: prefixes),
                              defaultSeconds: seconds, stateFile: stateFile, namespace: ns.path, logger: logger)
}

/// Runs `body` with a started banner inside `ns` and shuts it down afterwards, however `body` ends.
func withBanner(_ ns: TestNamespace, setSize: Int = 65_536, stateFile: String? = nil, prefixes: BanPrefixes = .hosts,
                maintenance: Bool, _ body: (NftablesBackend) async throws -> Void) async throws {
    let banner = try makeBanner(ns, setSize: setSize, stateFile: stateFile, prefixes: prefixes)
    var upkeep: Task<Void, Never>?
    do {
        try await banner.start()
        if maintenance { upkeep = Task { await banner.maintain() } }
        try await body(banner)
    } catch {
        upkeep?.cancel()
        await banner.shutdown()
        throw error
    }
    upkeep?.cancel()
    await banner.shutdown()
}

func ip(_ s: String) -> IPAddress { IPAddress(s)! }
