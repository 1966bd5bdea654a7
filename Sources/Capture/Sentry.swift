import PortsentryCore

/// A port watcher: connect sockets, libpcap or AF_PACKET capture.
/// `prepare` opens everything that can fail (sockets, capture handles) and throws a clear
/// error; when it returns, the sentry is watching: sockets are bound, capture handles have their
/// filters, and what arrives before `run` waits in the kernel. The daemon says it is listening
/// (and tells systemd READY=1) only after every sentry is prepared. `run` requires `prepare`.
/// `run` blocks its calling thread (a dedicated thread, never the cooperative pool) and delivers
/// every probe to the sink until `stop()` is called from any thread; then it releases its
/// resources and returns.
public protocol Sentry: Sendable {
    func prepare() throws
    func run(_ sink: any ProbeSink) throws
    func stop()
    /// What the kernel counted for each open capture (at most a second old), from any thread;
    /// empty for sentries without a capture (connect mode).
    func captureStatistics() -> [CaptureStatistics]
}

extension Sentry {
    public func captureStatistics() -> [CaptureStatistics] { [] }
}
