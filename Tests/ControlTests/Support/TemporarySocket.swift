#if canImport(Glibc)
import Glibc
#endif
import Control

/// A unique directory under /tmp for one test's control socket, removed with everything in it.
struct TemporarySocket: ~Copyable {
    /// The test's own top directory.
    let root: String
    /// A socket path in a subdirectory the server must create.
    var path: String { root + "/run/control.sock" }
    var directory: String { root + "/run" }

    init() {
        var template = Array("/tmp/psctl.XXXXXX".utf8CString)
        precondition(mkdtemp(&template) != nil, "mkdtemp failed")
        root = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        for entry in [path, directory + "/other.sock", directory + "/file"] { unlink(entry) }
        rmdir(directory)
        rmdir(root)
    }
}

/// Mode bits and owner of a file.
func fileMode(_ path: String) -> (mode: mode_t, uid: uid_t, gid: gid_t)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return (info.st_mode & 0o7777, info.st_uid, info.st_gid)
}

extension ControlServer {
    /// A server on `path` with `handler` and a short request timeout.
    static func forTest(_ path: String, handler: some ControlHandler = ScriptedHandler(),
                        group: String? = nil, timeout: Duration = .seconds(5)) throws -> ControlServer {
        try ControlServer(.init(socketPath: path, group: group, requestTimeout: timeout), handler: handler)
    }
}
