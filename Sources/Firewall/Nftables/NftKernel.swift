/// What the nftables backend asks of the kernel: libnftables commands (one buffer, one
/// transaction) and whether its chain exists (asked over netlink, without libnftables' cache).
/// Behind a protocol so that the commit, retry, restore and set-full logic is tested against a
/// scripted kernel; `NftContext` is the real one. Used on the backend's thread only.
protocol NftKernel: AnyObject {
    /// Runs `commands` as one transaction; returns what libnftables printed.
    @discardableResult
    func run(_ commands: String) throws(NftError) -> String
    /// Runs a `list` command and decodes its JSON output.
    func list(_ command: String) throws(NftError) -> NftListing
    /// Whether chain `chain` of `table inet <table>` exists; false when the kernel cannot say.
    func chainExists(table: String, chain: String) -> Bool
}
