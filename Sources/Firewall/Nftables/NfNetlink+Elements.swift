import Glibc
import PortsentryCore

/// Bulk element adds over netlink, for the start-up and the watchdog's repairs: 100,000 elements
/// through libnftables' parser take ~0.45 s, as netlink messages built here a fraction of that.
/// Each batch of `batchLimit` elements is one transaction (NFNL_MSG_BATCH_BEGIN … END); an
/// element the set holds already is left as it is (no NLM_F_EXCL), as `add element` does.
extension NfNetlink {
    /// Elements per transaction, and per message (a nested attribute is at most 64 KiB).
    static let batchLimit = 16_384, messageLimit = 1500

    /// Adds `items` (address, timeout in ms or nil for none) to set `set` of `table inet <table>`,
    /// one transaction per `batchLimit`; returns the number of transactions committed. Throws
    /// the kernel's error for the first one that fails (the earlier ones stay).
    func addElements(table: String, set: String, _ items: [(address: IPAddress, timeoutMs: UInt64?)]) throws(NftError) -> Int {
        var committed = 0
        for start in stride(from: 0, to: items.count, by: NfNetlink.batchLimit) {
            let batch = items[start..<min(start + NfNetlink.batchLimit, items.count)]
            let messages = stride(from: batch.startIndex, to: batch.endIndex, by: NfNetlink.messageLimit).map {
                elementMessage(table: table, set: set, batch[$0..<min($0 + NfNetlink.messageLimit, batch.endIndex)])
            }
            try commit(messages)
            committed += 1
        }
        return committed
    }

    /// One NEWSETELEM message body: table, set, and the elements with their timeouts, written
    /// in place (an array per attribute made 100,000 elements cost more than the kernel's adds).
    private func elementMessage(table: String, set: String, _ items: ArraySlice<(address: IPAddress, timeoutMs: UInt64?)>) -> [UInt8] {
        var out = NfNetlink.attribute(1, Array(table.utf8) + [0]) + NfNetlink.attribute(2, Array(set.utf8) + [0])
        out.reserveCapacity(out.count + 4 + items.count * 40)
        func put<T>(_ value: T) { withUnsafeBytes(of: value) { out += $0 } }
        let nested: UInt16 = 0x8000
        let elementsAt = out.count
        put(UInt16(0)); put(3 | nested)                        // NFTA_SET_ELEM_LIST_ELEMENTS, length below
        for item in items {
            let keyLength: UInt16 = item.address.family == .inet ? 4 : 16
            let key = 8 + keyLength                             // NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }
            put(4 + key + (item.timeoutMs == nil ? 0 : 12)); put(1 | nested)   // NFTA_LIST_ELEM
            put(key); put(NfNetlink.elementKeyType | nested)
            put(4 + keyLength); put(UInt16(1))
            switch item.address {
            case .v4(let a): put(a.bigEndian)
            case .v6(let high, let low): put(high.bigEndian); put(low.bigEndian)
            }
            if let timeout = item.timeoutMs { put(UInt16(12)); put(NfNetlink.elementTimeoutType); put(max(timeout, 1).bigEndian) }
        }
        withUnsafeBytes(of: UInt16(out.count - elementsAt)) { out.replaceSubrange(elementsAt..<elementsAt + 2, with: $0) }
        return out
    }

    /// Sends `bodies` as NEWSETELEM messages in one batch and waits for the kernel's verdict on
    /// each (an acknowledgement, or the error that aborted the whole batch).
    private func commit(_ bodies: [[UInt8]]) throws(NftError) {
        let first = nextSequence(count: bodies.count + 2)
        var batch = NfNetlink.header(type: NfNetlink.batchBegin, flags: NfNetlink.flagRequest, sequence: first,
                                     family: 0, resource: NfNetlink.subsysNftables, body: [])
        for (i, body) in bodies.enumerated() {
            batch += NfNetlink.header(type: UInt16(NfNetlink.subsysNftables << 8) | NfNetlink.msgNewSetElement,
                                      flags: NfNetlink.flagRequest | NfNetlink.flagCreate | NfNetlink.flagAck,
                                      sequence: first &+ UInt32(i + 1), family: NfNetlink.familyInet, resource: 0, body: body)
        }
        batch += NfNetlink.header(type: NfNetlink.batchEnd, flags: NfNetlink.flagRequest, sequence: first &+ UInt32(bodies.count + 1),
                                  family: 0, resource: NfNetlink.subsysNftables, body: [])
        try sendBatch(batch)
        var pending = Set((1...bodies.count).map { first &+ UInt32($0) }), failure: Int32 = 0
        while !pending.isEmpty {
            try receiveStatuses { sequence, code in
                if pending.remove(sequence) != nil, code != 0, failure == 0 { failure = code }
            }
        }
        if failure != 0 { throw .commandFailed("Error: Could not process rule: \(String(cString: strerror(failure)))") }
    }

    private static let msgNewSetElement: UInt16 = 12    // NFT_MSG_NEWSETELEM
    private static let batchBegin: UInt16 = 0x10        // NFNL_MSG_BATCH_BEGIN
    private static let batchEnd: UInt16 = 0x11          // NFNL_MSG_BATCH_END
    private static let flagCreate: UInt16 = 0x400       // NLM_F_CREATE
    private static let elementKeyType: UInt16 = 1       // NFTA_SET_ELEM_KEY
    private static let elementTimeoutType: UInt16 = 4   // NFTA_SET_ELEM_TIMEOUT

    /// A netlink attribute, padded to 4 bytes.
    static func attribute(_ type: UInt16, nested: Bool = false, _ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + value.count)
        withUnsafeBytes(of: UInt16(4 + value.count)) { out += $0 }
        withUnsafeBytes(of: type | (nested ? 0x8000 : 0)) { out += $0 }
        out += value
        out += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        return out
    }

    /// A netlink message: nlmsghdr, nfgenmsg (family, version 0, resource id in network order), body.
    static func header(type: UInt16, flags: UInt16, sequence: UInt32, family: UInt8, resource: UInt16, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(20 + body.count)
        func put<T>(_ value: T) { withUnsafeBytes(of: value) { out += $0 } }
        put(UInt32(20 + body.count)); put(type); put(flags); put(sequence); put(UInt32(0))   // port id: the kernel's
        out += [family, 0]
        put(resource.bigEndian)
        out += body
        return out
    }
}
