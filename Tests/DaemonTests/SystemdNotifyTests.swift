#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Daemon

/// A real AF_UNIX datagram socket standing in for systemd's notify socket.
private final class NotifyListener {
    let fd: Int32
    let path: String

    /// Binds `path` (a leading `@` means the abstract namespace).
    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.syscall("socket") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in bytes.enumerated() { buf[i] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard rc == 0 else { close(fd); throw Failure.syscall("bind") }
        // A receive timeout so a missing message fails the test instead of hanging it.
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram, or nil on timeout.
    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buf, buf.count, 0)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }

    deinit {
        close(fd)
        if !path.hasPrefix("@") { unlink(path) }
    }

    enum Failure: Error { case syscall(String) }
}

private func tempSocketPath() -> String {
    var template = Array("/tmp/sdnotify-test-XXXXXX".utf8CString)
    let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    return dir + "/notify"
}

@Suite(.serialized) struct SystemdNotifyTests {
    @Test func sendsMessageToFilesystemSocket() throws {
        let path = tempSocketPath()
        let listener = try NotifyListener(path: path)
        defer { rmdir(String(path.dropLast("/notify".count))) }
        #expect(SystemdNotify.send("READY=1", to: path))
        #expect(listener.receive() == "READY=1")
    }

    @Test func sendsMessageToAbstractSocket() throws {
        let name = "@portsentry-notify-test-\(getpid())"
        let listener = try NotifyListener(path: name)
        #expect(SystemdNotify.send("STOPPING=1", to: name))
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test func messagesFollowSdNotify() throws {
        #expect(SystemdNotify.Message.ready == "READY=1")
        #expect(SystemdNotify.Message.stopping == "STOPPING=1")
        let lines = SystemdNotify.Message.reloading().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let usec = try #require(lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(usec > 0)
        #expect(SystemdNotify.Message.status("watching 27 TCP\nports") == "STATUS=watching 27 TCPports")
    }

    /// The public calls go to `$NOTIFY_SOCKET`. Other tests in this process could notify too while
    /// the variable is set, so this one looks for its own unique status text.
    @Test func usesNotifySocketFromEnvironment() throws {
        let path = tempSocketPath()
        let listener = try NotifyListener(path: path)
        defer { rmdir(String(path.dropLast("/notify".count))); unsetenv("NOTIFY_SOCKET") }
        setenv("NOTIFY_SOCKET", path, 1)
        let token = "notify-test-\(getpid())-\(path.hashValue)"
        #expect(SystemdNotify.status(token))
        var found = false
        for _ in 0..<100 {
            guard let message = listener.receive() else { break }  // nil: nothing within 5 s
            if message == "STATUS=\(token)" { found = true; break }
        }
        #expect(found)
    }

    @Test func withoutNotifySocketDoesNothing() {
        unsetenv("NOTIFY_SOCKET")
        #expect(!SystemdNotify.ready())
    }

    @Test func rejectsRelativeAndMissingPaths() {
        #expect(!SystemdNotify.send("READY=1", to: "relative/socket"))
        #expect(!SystemdNotify.send("READY=1", to: ""))
        #expect(!SystemdNotify.send("READY=1", to: "/nonexistent-dir-\(getpid())/notify"))
    }
}
