import PortsentryCore

/// A port watcher: connect sockets, libpcap or AF_PACKET capture.
/// `prepare` opens everything that can fail (sockets, capture handles) and throws a clear
/// error; the daemon says it is listening only after every sentry is prepared.
/// `run` blocks its calling thread (a dedicated thread, never the cooperative pool) and delivers
/// every probe to the sink until `stop()` is called from any thread; then it releases its
/// resources and returns.
public protocol Sentry: Sendable {
    func prepare() throws
    func run(_ sink: any ProbeSink) throws
    func stop()
}

extension Sentry {
    /// Sentries that open their resources in `run` need no separate preparation.
    public func prepare() throws {}
}
