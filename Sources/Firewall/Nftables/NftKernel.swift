import PortsentryCore

/// What the backend asks of the kernel: libnftables commands (one buffer, one transaction), and
/// over netlink, without libnftables' cache, the ruleset generation, our table's shape and our
/// sets' elements. Behind a protocol so that the commit, retry, restore, drift and set-full
/// logic is tested against a scripted kernel; `NftContext` is the real one. Used on the
/// backend's thread only.
protocol NftKernel: AnyObject {
    /// Runs `commands` as one transaction; returns what libnftables printed.
    @discardableResult
    func run(_ commands: String) throws(NftError) -> String
    /// nf_tables' ruleset generation; nil when the kernel cannot say.
    func generation() -> UInt32?
    /// Chains, rules and sets of `table inet <table>`; nil when the table does not exist.
    func shape(of table: String) throws(NftError) -> NftTableShape?
    /// The elements of a set of `table inet <table>`; nil when the table or the set does not exist.
    /// A dump: in Linux 6.1–6.18 its cost grows with the square of the set's size (~0.7 s at 100,000).
    func elements(table: String, set: String) throws(NftError) -> [NftElement]?
    /// How many elements the set holds, when the kernel says (NFTA_SET_COUNT); cheap.
    func elementCount(table: String, set: String) -> Int?
    /// The named counters of `table inet <table>` by name; nil when the table does not exist.
    func counters(table: String) throws(NftError) -> [String: DropCount]?
    /// Adds elements (address, timeout in ms or nil) over netlink, in transactions of
    /// `NfNetlink.batchLimit`; an element the set holds stays as it is. Returns the number of
    /// transactions sent.
    @discardableResult
    func addElements(table: String, set: String, _ items: [(address: IPAddress, timeoutMs: UInt64?)]) throws(NftError) -> Int
}

/// One element of a ban set as the kernel holds it.
struct NftElement: Sendable, Hashable {
    var address: IPAddress
    /// Milliseconds until the kernel removes it; nil = no timeout.
    var timeLeftMs: UInt64?
    /// The timeout it was given, when it has one.
    var timeoutMs: UInt64? = nil
}
