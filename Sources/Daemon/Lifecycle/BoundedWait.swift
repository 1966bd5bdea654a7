/// Starts `work`, which calls the closure it is given when it has finished, and waits for that:
/// `limit` at most, so nothing stuck can hold up shutdown.
func waitForCompletion(within limit: Duration, of work: (@escaping @Sendable () -> Void) -> Void) async {
    let (finished, done) = AsyncStream.makeStream(of: Void.self)
    work { done.finish() }
    await withTaskGroup(of: Void.self) { group in
        group.addTask { for await _ in finished {} }
        group.addTask { try? await Task.sleep(for: limit) }
        await group.next()
        group.cancelAll()
    }
}
