#if canImport(Glibc)
import Glibc
import PortsentryCore
#endif
import Logging

/// Serves the control socket: accepts connections on a dedicated thread, checks each peer's
/// credentials, and hands valid requests to a `ControlHandler`.
public final class ControlServer: Sendable {
    /// Where and for whom the socket is served.
    public struct Configuration: Sendable {
        /// CONTROL_SOCKET.
        public var socketPath: String
        /// CONTROL_GROUP: members may use the socket besides root (socket 0660, directory 0750).
        public var group: String?
        /// How long a client may take to send its request, and to take the response.
        public var requestTimeout: Duration
        /// Connections served at once. Beyond it a new client takes the place of the connection
        /// that has waited on its client longest (never a request the daemon is running).
        public var maxConnections: Int

        public init(socketPath: String, group: String? = nil,
                    requestTimeout: Duration = .seconds(5), maxConnections: Int = 128) {
            self.socketPath = socketPath
            self.group = group
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
        }
    }

    private let signals: ServerSignals
    /// The socket path being served.
    public let socketPath: String

    /// Binds the socket (replacing a stale file, refusing if another daemon answers on it) and
    /// starts serving. Throws before anything is served if the socket cannot be set up.
    public init(_ configuration: Configuration, handler: some ControlHandler,
                logger: Logger = Logger(label: "portsentry.control")) throws(ControlError) {
        let path = configuration.socketPath
        let policy = try AccessPolicy(groupName: configuration.group)
        if let warning = try SocketFile.prepareDirectory(for: path, group: policy.group) {
            logger.warning("\(warning)")
        }
        try SocketFile.removeIfStale(path)
        let listener = try UnixSocket.make(nonBlocking: true)
        let identity: SocketFile.Identity
        var bound = false
        do throws(ControlError) {
            guard try UnixSocket.withAddress(path, { bind(listener, $0, $1) }) == 0 else {
                throw .system(operation: "bind \(path)", errno: errno)
            }
            bound = true
            identity = try SocketFile.restrict(path, group: policy.group)
            guard listen(listener, SOMAXCONN) == 0 else { throw .system(operation: "listen \(path)", errno: errno) }
            signals = try ServerSignals()
        } catch {
            close(listener)
            if bound { unlink(path) }
            throw error
        }
        let settings = ServerLoop.Settings(
            path: path, identity: identity,
            timeoutNanoseconds: configuration.requestTimeout.nanoseconds,
            maxConnections: max(1, configuration.maxConnections), policy: policy)
        socketPath = path
        let loop = LoopStarter(listener: listener, settings: settings, handler: handler,
                               signals: signals, logger: logger)
        do throws(DedicatedThread.StartError) {
            try DedicatedThread.start { loop.makeLoop().run() }
        } catch {
            close(listener)
            SocketFile.remove(path, ifStill: identity)
            throw .system(operation: "pthread_create", errno: error.code)
        }
    }

    /// Stops serving: closes every connection and the socket, and removes the socket file.
    /// Requests still in the handler finish but their responses are dropped.
    public func stop() async {
        await signals.requestStopAndWait()
    }
}

/// The loop's ingredients, all `Sendable`, carried to the loop thread.
private struct LoopStarter: Sendable {
    let listener: Int32
    let settings: ServerLoop.Settings
    let handler: any ControlHandler
    let signals: ServerSignals
    let logger: Logger

    func makeLoop() -> ServerLoop {
        ServerLoop(listener: listener, settings: settings, handler: handler, signals: signals, logger: logger)
    }
}
