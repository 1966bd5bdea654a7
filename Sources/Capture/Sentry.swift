import PortsentryCore

/// A port watcher: connect sockets, libpcap or AF_PACKET capture.
/// `run` blocks its calling thread (a dedicated thread, never the cooperative pool) and delivers
/// every probe to the sink until `stop()` is called from any thread; then it releases its
/// resources and returns. Setup failures throw before anything is delivered.
public protocol Sentry: Sendable {
    func run(_ sink: any ProbeSink) throws
    func stop()
}
