#if canImport(Glibc)
import Glibc
#endif
import Synchronization

private let namespaceCounter = Atomic<Int>(0)

/// Creates a uniquely named network namespace, runs `body` with its name, and deletes it
/// however `body` ends.
func withNamespace<T>(_ body: (String) async throws -> T) async throws -> T {
    let name = "psctl\(getpid() % 100_000)n\(namespaceCounter.add(1, ordering: .relaxed).newValue)"
    let created = try await runProgram(["ip", "netns", "add", name])
    guard created.status == 0 else { throw NamespaceError(name: name) }
    do {
        let result = try await body(name)
        _ = try await runProgram(["ip", "netns", "del", name])
        return result
    } catch {
        _ = try await runProgram(["ip", "netns", "del", name])
        throw error
    }
}

struct NamespaceError: Error, CustomStringConvertible {
    var name: String
    var description: String { "cannot create network namespace \(name)" }
}

/// `nft ARGS` inside namespace `name`; returns its stdout.
func nft(in name: String, _ arguments: String...) async throws -> String {
    try await runProgram(["ip", "netns", "exec", name, "nft"] + arguments).output
}
