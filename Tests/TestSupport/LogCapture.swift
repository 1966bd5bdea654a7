import Logging
import Synchronization

/// An in-memory log: a `Logger` whose lines (level and text) tests read back in order.
public final class LogCapture: Sendable {
    private let store = Mutex<[(Logger.Level, String)]>([])

    public init() {}

    public var entries: [(level: Logger.Level, text: String)] { store.withLock { $0.map { ($0.0, $0.1) } } }
    public var texts: [String] { store.withLock { $0.map(\.1) } }

    public var logger: Logger { Logger(label: "test") { _ in Handler(capture: self) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { nil } set {} }
        func log(event: LogEvent) { capture.store.withLock { $0.append((event.level, "\(event.message)")) } }
    }
}
