import Glibc
import PortsentryCore

/// The watchdog's and the start-up's view of our table, read over netlink: libnftables would
/// first fetch every element of every set (about a second at 100,000 bans) for any `list`.
extension NfNetlink {
    static let msgGetTable: UInt16 = 1      // NFT_MSG_GETTABLE
    static let msgGetRule: UInt16 = 7       // NFT_MSG_GETRULE
    static let msgGetSet: UInt16 = 10       // NFT_MSG_GETSET
    static let msgGetSetElement: UInt16 = 13    // NFT_MSG_GETSETELEM

    /// Chains, rules and sets of `table inet <table>`; nil when the table does not exist.
    func shape(of table: String) throws(NftError) -> NftTableShape? {
        typealias A = NftTableShape.Attribute
        switch try ask(NfNetlink.msgGetTable, family: NfNetlink.familyInet, strings: [(A.tableName, table)]) {
        case .object: break
        case .status(ENOENT): return nil
        case .status(let code): throw .netlinkUnavailable(code)
        }
        var shape = NftTableShape()
        // Chain dumps cannot be narrowed to one table: every inet chain comes, ours are kept.
        try expect(dump(NfNetlink.msgGetChain, family: NfNetlink.familyInet, strings: [], restart: { shape.chains = [:] }) { a in
            guard a.first(A.chainTable)?.string == table, let name = a.first(A.chainName)?.string else { return }
            shape.chains[name] = NftTableShape.Chain(hook: a.first(A.chainHook)?.array ?? [], policy: a.first(A.chainPolicy)?.u32,
                                                     type: a.first(A.chainType)?.string ?? "")
        })
        let clearRules = { for name in shape.chains.keys { shape.chains[name]?.rules = [] } }
        try expect(dump(NfNetlink.msgGetRule, family: NfNetlink.familyInet, strings: [(A.ruleTable, table)], restart: clearRules) { a in
            guard a.first(A.ruleTable)?.string == table, let chain = a.first(A.ruleChain)?.string else { return }
            let rule = a.first(A.ruleExpressions).map(NftTableShape.fingerprint(ofRule:)) ?? []
            shape.chains[chain, default: NftTableShape.Chain()].rules.append(rule)
        })
        let sets = try dump(NfNetlink.msgGetSet, family: NfNetlink.familyInet, strings: [(A.setTable, table)], restart: { shape.sets = [:] }) { a in
            guard let name = a.first(A.setName)?.string, let flags = a.first(A.setFlags)?.u32,
                  flags & NfNetlink.setAnonymous == 0 else { return }
            shape.sets[name] = NftTableShape.SetShape(flags: flags, keyLength: a.first(A.setKeyLength)?.u32 ?? 0,
                                                      size: a.first(A.setDescription)?.first(A.descriptionSize)?.u32)
        }
        if sets == ENOENT { return nil }   // deleted meanwhile
        try expect(sets)
        return shape
    }

    /// The elements of set `set` of `table inet <table>`; nil when the table or the set does not exist.
    func elements(table: String, set: String) throws(NftError) -> [NftElement]? {
        var out: [NftElement] = []
        let status = try dump(NfNetlink.msgGetSetElement, family: NfNetlink.familyInet,
                              strings: [(NfNetlink.elementListTable, table), (NfNetlink.elementListSet, set)],
                              restart: { out.removeAll() }) { message in
            message.first(NfNetlink.elementListElements)?.forEach { type, element in
                guard type == NftTableShape.Attribute.listElement else { return }
                var key: IPAddress?, timeout: UInt64?, left: UInt64?
                element.forEach { attribute, value in
                    switch attribute {
                    case NfNetlink.elementKey: key = value.first(NfNetlink.dataValue)?.address
                    case NfNetlink.elementTimeout: timeout = value.u64
                    case NfNetlink.elementExpiration: left = value.u64
                    default: break
                    }
                }
                if let key { out.append(NftElement(address: key, timeLeftMs: timeout != nil || left != nil ? left ?? 0 : nil, timeoutMs: timeout)) }
            }
        }
        if status == ENOENT { return nil }
        try expect(status)
        return out
    }

    /// How many elements set `set` of `table inet <table>` holds, as the kernel counts them
    /// (NFTA_SET_COUNT, in newer kernels than Debian 12's 6.1); nil when it does not say.
    func elementCount(table: String, set: String) -> Int? {
        var count: Int?
        let status = try? dump(NfNetlink.msgGetSet, family: NfNetlink.familyInet,
                               strings: [(NftTableShape.Attribute.setTable, table), (NftTableShape.Attribute.setName, set)]) { a in
            if a.first(NftTableShape.Attribute.setName)?.string == set { count = a.first(NfNetlink.setCount)?.u32.map(Int.init) }
        }
        return status == 0 ? count : nil
    }

    /// The named counters of `table inet <table>` (one dump of its stateful objects); nil when
    /// the table does not exist.
    func counters(table: String) throws(NftError) -> [String: DropCount]? {
        var out: [String: DropCount] = [:]
        let status = try dump(NfNetlink.msgGetObject, family: NfNetlink.familyInet, strings: [(NfNetlink.objectTable, table)],
                              restart: { out.removeAll() }) { a in
            guard a.first(NfNetlink.objectType)?.u32 == NfNetlink.objectCounter, let name = a.first(NfNetlink.objectName)?.string,
                  let data = a.first(NfNetlink.objectData) else { return }
            out[name] = DropCount(packets: data.first(NfNetlink.counterPackets)?.u64 ?? 0, bytes: data.first(NfNetlink.counterBytes)?.u64 ?? 0)
        }
        if status == ENOENT { return nil }
        try expect(status)
        return out
    }

    private func expect(_ status: Int32) throws(NftError) {
        if status != 0 { throw .netlinkUnavailable(status) }
    }

    private static let setAnonymous: UInt32 = 0x1       // NFT_SET_ANONYMOUS
    private static let setCount: UInt16 = 20            // NFTA_SET_COUNT
    private static let elementListTable: UInt16 = 1     // NFTA_SET_ELEM_LIST_TABLE
    private static let elementListSet: UInt16 = 2       // NFTA_SET_ELEM_LIST_SET
    private static let elementListElements: UInt16 = 3  // NFTA_SET_ELEM_LIST_ELEMENTS
    private static let elementKey: UInt16 = 1           // NFTA_SET_ELEM_KEY
    private static let elementTimeout: UInt16 = 4       // NFTA_SET_ELEM_TIMEOUT
    private static let elementExpiration: UInt16 = 5    // NFTA_SET_ELEM_EXPIRATION
    private static let dataValue: UInt16 = 1            // NFTA_DATA_VALUE
    private static let msgGetObject: UInt16 = 19        // NFT_MSG_GETOBJ
    private static let objectTable: UInt16 = 1          // NFTA_OBJ_TABLE
    private static let objectName: UInt16 = 2           // NFTA_OBJ_NAME
    private static let objectType: UInt16 = 3           // NFTA_OBJ_TYPE
    private static let objectData: UInt16 = 4           // NFTA_OBJ_DATA
    private static let objectCounter: UInt32 = 1        // NFT_OBJECT_COUNTER
    private static let counterBytes: UInt16 = 1         // NFTA_COUNTER_BYTES
    private static let counterPackets: UInt16 = 2       // NFTA_COUNTER_PACKETS
}
