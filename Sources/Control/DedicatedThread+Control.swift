import PortsentryCore

extension DedicatedThread {
    /// `run` for the control socket's blocking calls: a thread that cannot start is a
    /// `ControlError` like any other failure of `body`.
    static func runControl<T: Sendable>(_ body: @escaping @Sendable () -> Result<T, ControlError>) async throws(ControlError) -> T {
        let result: Result<T, ControlError>
        do {
            result = try await run(body)
        } catch {
            throw .system(operation: "pthread_create", errno: error.code)
        }
        return try result.get()
    }
}
