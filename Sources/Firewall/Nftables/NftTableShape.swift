/// Our table as nf_tables holds it, set elements apart: each chain's hook and rules, each
/// set's flags and key. Read over netlink (`NfNetlink.shape`) right after every install of ours
/// and then on every watchdog tick; any difference between the two is someone else's doing
/// (a flushed table or chain, an edited, inserted or deleted rule, a set made anew).
///
/// A rule is its expressions as the kernel returns them, with the values of anonymous counters
/// left out (they count packets); handles are left out too, so a table rebuilt by hand exactly
/// as we made it is no drift.
struct NftTableShape: Sendable, Hashable {
    struct Chain: Sendable, Hashable {
        /// The hook attribute (hook number and priority) as the kernel sends it; empty for a
        /// chain without hook.
        var hook: [UInt8] = []
        var policy: UInt32?
        var type = ""
        var rules: [[UInt8]] = []
    }

    struct SetShape: Sendable, Hashable {
        var flags: UInt32
        var keyLength: UInt32
        var size: UInt32?
    }

    var chains: [String: Chain] = [:]
    var sets: [String: SetShape] = [:]

    /// What differs from `expected`, in words for the log (empty when nothing does).
    func differences(from expected: NftTableShape) -> [String] {
        var out: [String] = []
        for (name, want) in expected.chains.sorted(by: { $0.key < $1.key }) {
            guard let have = chains[name] else { out.append("chain \(name) is missing"); continue }
            if have.hook != want.hook || have.policy != want.policy || have.type != want.type {
                out.append("chain \(name) has another hook, type or policy")
            }
            if have.rules.count != want.rules.count {
                out.append("chain \(name) has \(have.rules.count) of its \(want.rules.count) rules")
            } else if have.rules != want.rules {
                let changed = zip(have.rules, want.rules).filter { $0 != $1 }.count
                out.append("chain \(name) has \(changed) changed \(changed == 1 ? "rule" : "rules")")
            }
        }
        for name in chains.keys.sorted() where expected.chains[name] == nil && NftLayout.chainNames.contains(name) {
            out.append("chain \(name) was added")
        }
        for (name, want) in expected.sets.sorted(by: { $0.key < $1.key }) {
            guard let have = sets[name] else { out.append("set \(name) is missing"); continue }
            if have != want { out.append("set \(name) has other flags, key or size") }
        }
        return out
    }

    /// Nested attribute and message types of nf_tables (linux/netfilter/nf_tables.h).
    enum Attribute {
        static let chainTable: UInt16 = 1, chainName: UInt16 = 3, chainHook: UInt16 = 4
        static let chainPolicy: UInt16 = 5, chainType: UInt16 = 7
        static let ruleTable: UInt16 = 1, ruleChain: UInt16 = 2, ruleExpressions: UInt16 = 4
        static let listElement: UInt16 = 1, expressionName: UInt16 = 1, expressionData: UInt16 = 2
        static let setTable: UInt16 = 1, setName: UInt16 = 2, setFlags: UInt16 = 3, setKeyLength: UInt16 = 5
        static let setDescription: UInt16 = 9, descriptionSize: UInt16 = 1
        static let tableName: UInt16 = 1
    }

    /// A rule's expressions, one after the other as name and data; a `counter`'s data is left out.
    static func fingerprint(ofRule expressions: NfAttributes) -> [UInt8] {
        var out: [UInt8] = []
        expressions.forEach { type, expression in
            guard type == Attribute.listElement else { return }
            let name = expression.first(Attribute.expressionName)?.string ?? ""
            out += Array(name.utf8) + [0]
            guard name != "counter", let data = expression.first(Attribute.expressionData) else { return }
            out += withUnsafeBytes(of: UInt32(data.bytes.count).bigEndian, Array.init) + data.array
        }
        return out
    }
}
