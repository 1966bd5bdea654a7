import CNftables
import Glibc
import PortsentryCore

/// One libnftables context: buffered output and error, drained after every call, failures as
/// Swift errors with libnftables' text. libnftables is not thread-safe, so a context is not
/// `Sendable`: it belongs to one actor (`NftablesBackend`) and is used only on its thread.
/// Command text is built by `NftLayout` from validated values only. What is read back (the
/// generation, the table's shape, set elements) is asked over netlink (`NfNetlink`).
final class NftContext: NftKernel {
    private let ctx: OpaquePointer
    /// The netlink socket for what is asked without libnftables, opened on first use (on the
    /// backend's thread, so in its namespace).
    private var netlink: NfNetlink?

    /// Checks netlink, CAP_NET_ADMIN and nf_tables first (`NftSupport.check`), because
    /// `nft_ctx_new` exit(3)s when its netlink socket does not open. The context binds to the
    /// network namespace of the calling thread.
    init() throws(NftError) {
        try NftSupport.check()
        guard let ctx = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else { throw .netlinkUnavailable(ENOMEM) }
        self.ctx = ctx
        nft_ctx_buffer_output(ctx)
        nft_ctx_buffer_error(ctx)
    }

    deinit { nft_ctx_free(ctx) }

    /// Runs `commands` as one transaction; returns what libnftables printed.
    @discardableResult
    func run(_ commands: String) throws(NftError) -> String {
        let rc = nft_run_cmd_from_buffer(ctx, commands)
        let output = nft_ctx_get_output_buffer(ctx).map { String(cString: $0) } ?? ""
        let error = nft_ctx_get_error_buffer(ctx).map { String(cString: $0) } ?? ""
        guard rc == 0 else {
            // Keep the `Error:` lines; libnftables also echoes the (possibly huge) command.
            let lines = error.split(separator: "\n").filter { $0.hasPrefix("Error") }.prefix(3)
            throw .commandFailed(lines.isEmpty ? "error \(rc)" : lines.joined(separator: "; "))
        }
        return output
    }

    func generation() -> UInt32? {
        try? withNetlink { netlink throws(NftError) in try netlink.generation() }
    }

    func shape(of table: String) throws(NftError) -> NftTableShape? {
        try withNetlink { netlink throws(NftError) in try netlink.shape(of: table) }
    }

    func elements(table: String, set: String) throws(NftError) -> [NftElement]? {
        try withNetlink { netlink throws(NftError) in try netlink.elements(table: table, set: set) }
    }

    func elementCount(table: String, set: String) -> Int? {
        try? withNetlink { netlink throws(NftError) in netlink.elementCount(table: table, set: set) }
    }

    func counters(table: String) throws(NftError) -> [String: DropCount]? {
        try withNetlink { netlink throws(NftError) in try netlink.counters(table: table) }
    }

    @discardableResult
    func addElements(table: String, set: String, _ items: [(address: IPAddress, timeoutMs: UInt64?)]) throws(NftError) -> Int {
        try withNetlink { netlink throws(NftError) in try netlink.addElements(table: table, set: set, items) }
    }

    /// Runs `body` with the netlink socket, opened on first use; a socket that failed is
    /// opened again next time.
    private func withNetlink<T>(_ body: (NfNetlink) throws(NftError) -> T) throws(NftError) -> T {
        do {
            if netlink == nil { netlink = try NfNetlink() }
            return try body(netlink!)
        } catch {
            netlink = nil
            throw error
        }
    }
}
