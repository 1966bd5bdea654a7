#if canImport(Glibc)
import Glibc
#endif
@testable import PortsentryCore

/// A file under /tmp with the given text, removed when the value is released.
final class TemporaryFile {
    let path: String

    /// A new file with a unique name ending in `suffix`.
    init(_ text: String, suffix: String = ".conf") throws {
        var template = Array("/tmp/portsentry-test-XXXXXX\(suffix)".utf8CString)
        let fd = mkstemps(&template, Int32(suffix.utf8.count))
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try TemporaryFile.write(text, to: fd, path: path)
    }

    /// A new file at exactly `path`, which must not exist yet.
    init(_ text: String, at path: String) throws {
        self.path = path
        try TemporaryFile.write(text, to: open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600), path: path)
    }

    private static func write(_ text: String, to fd: Int32, path: String) throws {
        guard fd >= 0 else { throw ValueError("cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw ValueError("short write to \(path)") }
    }

    deinit { unlink(path) }
}
