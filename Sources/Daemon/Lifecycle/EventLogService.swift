import ServiceLifecycle

/// Keeps EVENT_LOG open until graceful shutdown; then writes what is queued (one second at
/// most, so a stuck destination cannot hold up shutdown).
struct EventLogService: Service {
    let events: EventLog

    func run() async {
        try? await gracefulShutdown()
        await waitForCompletion(within: .seconds(1)) { events.flush(done: $0) }
    }
}
