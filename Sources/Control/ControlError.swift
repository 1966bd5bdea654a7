#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong on either end of the control socket, with a message for people.
public enum ControlError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not an IPv4/IPv6 address or CIDR network.
    case badAddress(String)
    /// A network written with host bits set; `network` is the masked form.
    case hostBitsSet(String, network: String)
    /// A request the daemon rejected before running it (bad JSON, unknown command, ...).
    case badRequest(String)
    /// A system call failed: `operation` names the call and its object.
    case system(operation: String, errno: Int32)
    /// The socket path does not fit in `sockaddr_un`.
    case socketPathTooLong(String)
    /// Another process already serves the socket.
    case alreadyServing(String)
    /// Something other than a socket sits at the socket path.
    case notASocket(String)
    /// CONTROL_GROUP names no known group.
    case unknownGroup(String)
    /// No daemon listens on the socket (no file, or connection refused).
    case daemonNotRunning(String)
    /// The caller may not use the socket (file permissions or the daemon's credential check).
    case permissionDenied(String)
    /// The daemon accepted the connection but did not answer in time.
    case timedOut(String, seconds: Int)
    /// The daemon answered something that is not a valid response.
    case badResponse(String)

    public var description: String {
        switch self {
        case .badAddress(let text):
            return "bad address '\(text)': expected an IPv4 or IPv6 address or CIDR network"
        case .hostBitsSet(let text, let network):
            return "bad network '\(text)': host bits are set (did you mean \(network)?)"
        case .badRequest(let why):
            return "bad request: \(why)"
        case .system(let operation, let code):
            return "\(operation): \(String(cString: strerror(code)))"
        case .socketPathTooLong(let path):
            return "control socket path too long (max 107 bytes): \(path)"
        case .alreadyServing(let path):
            return "another daemon is already serving the control socket \(path)"
        case .notASocket(let path):
            return "\(path) exists and is not a socket; remove it or set CONTROL_SOCKET elsewhere"
        case .unknownGroup(let name):
            return "CONTROL_GROUP '\(name)' is not a known group"
        case .daemonNotRunning(let path):
            return "daemon not running (nothing listens on \(path))"
        case .permissionDenied(let why):
            return "permission denied: \(why)"
        case .timedOut(let path, let seconds):
            return "daemon did not answer on \(path) within \(seconds) s"
        case .badResponse(let why):
            return "unexpected answer from the daemon: \(why)"
        }
    }
}
