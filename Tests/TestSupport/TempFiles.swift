import Glibc

/// Small file helpers shared by the test targets.
public func makeTempDir() -> String {
    var template = Array("/tmp/portsentry-test.XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

/// Removes a directory made by `makeTempDir` and everything in it.
public func removeTree(_ path: String) {
    precondition(path.hasPrefix("/tmp/portsentry-test."), "removeTree only removes test directories")
    var pid: pid_t = 0
    let words: [String] = ["/bin/rm", "-rf", path]
    let args = words.map { strdup($0) } + [nil]
    defer { args.forEach { free($0) } }
    if posix_spawn(&pid, "/bin/rm", nil, nil, args, environ) == 0 {
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

public func writeText(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = text.utf8.withContiguousStorageIfAvailable { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// The file's bytes, or nil when it does not exist.
public func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while case let n = read(fd, &buf, buf.count), n > 0 { out += buf[0..<n] }
    return out
}

public func readText(_ path: String) -> String? { readBytes(path).map { String(decoding: $0, as: UTF8.self) } }
