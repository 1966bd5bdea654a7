import Glibc

/// Whether nftables can work in this process and network namespace, checked without libnftables
/// (whose `nft_ctx_new` exit(3)s when netlink is unavailable, and which prints permission errors
/// straight to fd 2). The daemon uses it to choose between nftables and KILL_ROUTE (docs/configuration.md
/// "Backend choice"). libnftables itself is a load-time dependency: a binary that starts has it.
public enum NftSupport {
    /// Opens a NETLINK_NETFILTER socket and asks nf_tables for its ruleset generation, which needs
    /// both CAP_NET_ADMIN and nf_tables in the kernel. Throws the reason when one is missing.
    public static func check() throws(NftError) {
        switch try NfNetlink().ask(NfNetlink.msgGetGen) {
        case .object, .status(0): return
        case .status(EPERM): throw .missingCapability
        case .status(let code) where [EOPNOTSUPP, EPROTONOSUPPORT, ENOENT, EINVAL].contains(code):
            throw .nfTablesUnavailable(String(cString: strerror(code)))
        case .status(let code): throw .netlinkUnavailable(code)
        }
    }

    /// The reason nftables cannot be used here, or nil when it can.
    public static func unavailabilityReason() -> NftError? {
        do { try check(); return nil } catch { return error }
    }
}
