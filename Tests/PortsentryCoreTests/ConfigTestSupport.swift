#if canImport(Glibc)
import Glibc
#endif
@testable import PortsentryCore

/// A file under /tmp with the given text, removed when the value is released.
final class TemporaryFile {
    let path: String

    init(_ text: String, suffix: String = ".conf") throws {
        var template = Array("/tmp/portsentry-test-XXXXXX\(suffix)".utf8CString)
        let fd = mkstemps(&template, Int32(suffix.utf8.count))
        guard fd >= 0 else { throw ValueError("mkstemps failed: errno \(errno)") }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw ValueError("short write to \(path)") }
    }

    deinit { unlink(path) }
}
