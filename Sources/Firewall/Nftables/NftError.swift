import Glibc

/// Why the nftables backend could not do what was asked. Every case carries a message meant for
/// an administrator; `description` is that message.
public enum NftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A NETLINK_NETFILTER socket does not open (errno); libnftables would exit(3) the process.
    case netlinkUnavailable(Int32)
    /// The process lacks CAP_NET_ADMIN in its network namespace.
    case missingCapability
    /// The kernel has no nf_tables (not built in, module not loadable); carries the detail.
    case nfTablesUnavailable(String)
    /// The backend's thread could not be started (errno).
    case threadUnavailable(Int32)
    /// The network namespace given for the backend's thread could not be entered.
    case namespaceUnavailable(String, Int32)
    /// libnftables rejected a transaction; nothing of it was applied. Carries libnftables' text.
    case commandFailed(String)
    /// libnftables printed something that is not the JSON we asked for.
    case malformedOutput(String)
    /// NFT_TABLE or a derived name is not a valid nftables identifier.
    case invalidName(String)
    /// NFT_SET_SIZE is not a positive number.
    case invalidSetSize(Int)
    /// The state file could not be read or written (path, detail).
    case stateFile(String, String)
    /// The backend was used after `shutdown()`.
    case closed

    public var description: String {
        switch self {
        case .netlinkUnavailable(let e):
            return "cannot open a netfilter netlink socket: \(String(cString: strerror(e)))"
        case .missingCapability:
            return "nftables needs CAP_NET_ADMIN (run as root or grant the capability)"
        case .nfTablesUnavailable(let detail):
            return "the kernel does not provide nf_tables (\(detail))"
        case .threadUnavailable(let e):
            return "cannot start the nftables thread: \(String(cString: strerror(e)))"
        case .namespaceUnavailable(let path, let e):
            return "cannot enter network namespace \(path): \(String(cString: strerror(e)))"
        case .commandFailed(let text):
            return "nftables rejected the transaction: \(text)"
        case .malformedOutput(let detail):
            return "unexpected output from libnftables: \(detail)"
        case .invalidName(let name):
            return "\"\(name)\" is not a valid nftables name (letters, digits and _, starting with a letter, at most 64 bytes)"
        case .invalidSetSize(let n):
            return "NFT_SET_SIZE must be a positive number, not \(n)"
        case .stateFile(let path, let detail):
            return "state file \(path): \(detail)"
        case .closed:
            return "the nftables backend is shut down"
        }
    }
}
