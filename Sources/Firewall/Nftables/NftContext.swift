import CNftables
import Glibc
import FoundationEssentials

/// One libnftables context: buffered output and error, drained after every call, failures as
/// Swift errors with libnftables' text. libnftables is not thread-safe, so a context is not
/// `Sendable`: it belongs to one actor (`NftablesBackend`) and is used only on its thread.
/// Command text is built by `NftLayout` from validated values only.
final class NftContext: NftKernel {
    private let ctx: OpaquePointer
    /// The netlink socket of `chainExists`, opened on first use (on the backend's thread).
    private var chainProbe: NfNetlink?

    /// Checks netlink, CAP_NET_ADMIN and nf_tables first (`NftSupport.check`), because
    /// `nft_ctx_new` exit(3)s when its netlink socket does not open. The context binds to the
    /// network namespace of the calling thread.
    init() throws(NftError) {
        try NftSupport.check()
        guard let ctx = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else { throw .netlinkUnavailable(ENOMEM) }
        self.ctx = ctx
        nft_ctx_buffer_output(ctx)
        nft_ctx_buffer_error(ctx)
        nft_ctx_output_set_flags(ctx, UInt32(NFT_CTX_OUTPUT_JSON))
    }

    deinit { nft_ctx_free(ctx) }

    /// Runs `commands` as one transaction; returns what libnftables printed (JSON for lists).
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

    func chainExists(table: String, chain: String) -> Bool {
        do {
            if chainProbe == nil { chainProbe = try NfNetlink() }
            let reply = try chainProbe!.ask(NfNetlink.msgGetChain, family: NfNetlink.familyInet,
                                            strings: [(NfNetlink.chainTable, table), (NfNetlink.chainName, chain)])
            return reply == .object
        } catch {
            chainProbe = nil   // opened again next time
            return false
        }
    }

    /// Runs a `list` command and decodes its JSON output.
    func list(_ command: String) throws(NftError) -> NftListing {
        let json = try run(command)
        do {
            return try JSONDecoder().decode(NftListing.self, from: Data(json.utf8))
        } catch {
            throw .malformedOutput("\(error)")
        }
    }
}
