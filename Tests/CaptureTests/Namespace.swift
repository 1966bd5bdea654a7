import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs code on a thread that first entered a named network namespace (`ip netns add NAME`).
/// Sockets keep the namespace they were created in, so a descriptor made here works anywhere.
enum Namespace {
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    /// glibc's `setns`, which Swift's Glibc module does not import.
    private static let setns = unsafeBitCast(dlsym(nil, "setns"), to: SetNS.self)
    private static let cloneNewNet: Int32 = 0x4000_0000

    /// Enters `name` on the calling thread (for good: use a dedicated thread).
    static func enter(_ name: String) throws {
        let fd = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TestFailure("no namespace \(name)") }
        defer { close(fd) }
        guard setns(fd, cloneNewNet) == 0 else { throw TestFailure("setns \(name): errno \(errno)") }
    }

    /// Runs `body` on a fresh thread inside `name` and returns its result.
    static func run<T: Sendable>(in name: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let r = Result { try enter(name); return try body() }
            result.withLock { $0 = r }
            done.signal()
        }.start()
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
