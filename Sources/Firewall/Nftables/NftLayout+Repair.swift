/// Commands for the watchdog's repairs (docs/nftables.md, "Drift").
extension NftLayout {
    /// Removes our chains and then the named sets of ours, so that the install that follows in
    /// the same transaction makes those sets anew: nftables refuses to redeclare a set with
    /// other flags, and to delete one that a rule still uses. Empty for no sets.
    func teardown(sets: [String]) -> String {
        guard !sets.isEmpty else { return "" }
        var lines = ["add table inet \(table)"]
        for name in NftLayout.chainNames {
            lines += ["add chain inet \(table) \(name)", "flush chain inet \(table) \(name)", "delete chain inet \(table) \(name)"]
        }
        lines += sets.sorted().map { "delete set inet \(table) \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
