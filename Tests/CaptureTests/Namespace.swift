import Dispatch
import Foundation
import Glibc
import PortsentryCore
import Synchronization
@testable import Capture

/// Runs code on a thread that first entered a named network namespace (`ip netns add NAME`).
/// Sockets keep the namespace they were created in, so a descriptor made here works anywhere.
enum Namespace {
    /// Runs `body` on a fresh thread inside `name` and returns its result.
    static func run<T: Sendable>(in name: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let r = Result { try NetworkNamespace.enter(name); return try body() }
            result.withLock { $0 = r }
            done.signal()
        }.start()
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
