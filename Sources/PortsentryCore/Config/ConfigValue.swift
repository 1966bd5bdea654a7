/// Parsers for the kinds of values config keys take. Each throws a `ValueError` that says
/// what is wrong with the text and what to write instead.
enum ConfigValue {
    static func blockMode(_ text: String) throws(ValueError) -> BlockMode {
        guard let n = Int(text), let mode = BlockMode(rawValue: n), text.count == 1 else {
            throw ValueError("\(text.quotedForMessage) is not a block mode; use 0 (log only), 1 (block) or 2 (run KILL_RUN_CMD only)")
        }
        return mode
    }

    static func flag(_ text: String) throws(ValueError) -> Bool {
        switch text {
        case "0": return false
        case "1": return true
        default: throw ValueError("\(text.quotedForMessage) is not a switch; use 0 (off) or 1 (on)")
        }
    }

    /// A whole number `minimum...maximum` (at most Int32.max), digits only.
    static func count(_ text: String, minimum: Int, maximum: Int = Int(Int32.max)) throws(ValueError) -> Int {
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }),
              text.count <= 10, let n = Int(text), n >= minimum, n <= maximum else {
            throw ValueError("\(text.quotedForMessage) is not valid; use a whole number from \(minimum) to \(maximum)")
        }
        return n
    }

    /// A ban prefix length of `family`: `BanPrefixes.shortest` up to the family's width.
    static func banPrefix(_ text: String, _ family: AddressFamily) throws(ValueError) -> Int {
        let range = BanPrefixes.shortest(family)...family.width
        guard !text.isEmpty, text.count <= 3, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }),
              let n = Int(text), range.contains(n) else {
            throw ValueError("\(text.quotedForMessage) is not valid; use a prefix length from \(range.lowerBound) to \(range.upperBound) (\(range.upperBound) bans single hosts; \(BanPrefixes.whyShortest(family)))")
        }
        return n
    }

    /// Free text on one line (paths, banner): no control characters.
    static func text(_ text: String) throws(ValueError) -> String {
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f }) {
            throw ValueError("the value contains the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)); remove it")
        }
        return text
    }

    /// A command run through `/bin/sh -c`; `needsTarget` demands the `$TARGET$` token.
    static func command(_ value: String, needsTarget: Bool) throws(ValueError) -> String {
        let checked = try text(value)
        if needsTarget, !CommandTemplate(checked).mentionsTarget {
            throw ValueError("the command has no $TARGET$; add $TARGET$ where the attacker's address goes")
        }
        return checked
    }

    /// An nftables identifier: a letter, then letters, digits or `_`, at most 64 characters.
    static func nftIdentifier(_ text: String) throws(ValueError) -> String {
        let scalars = Array(text.unicodeScalars)
        func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        guard let first = scalars.first, letter(first), scalars.count <= 64,
              scalars.allSatisfy({ letter($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw ValueError("\(text.quotedForMessage) is not an nftables name; use a letter followed by letters, digits or _ (at most 64)")
        }
        return text
    }

    /// Addresses and networks separated by commas and/or blanks (`192.0.2.1, 198.51.100.0/24 2001:db8::/48`).
    static func networks(_ text: String) throws(ValueError) -> [CIDR] {
        var out: [CIDR] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            let (cidr, hadHostBits) = try CIDR.parse(item)
            guard !hadHostBits else {
                throw ValueError("\(String(item).quotedForMessage) has host bits set; write the network \(cidr)")
            }
            out.append(cidr)
        }
        return out
    }

    /// One of the raw values of `T`, listed in the message when the text is none of them.
    static func choice<T: RawRepresentable & CaseIterable>(_ text: String, _: T.Type) throws(ValueError) -> T
    where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            let names = T.allCases.map(\.rawValue)
            let list = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
            throw ValueError("\(text.quotedForMessage) is not valid; use \(list)")
        }
        return value
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}

extension ConfigValue {
    /// An `http://` or `https://` URL with a host, no blanks.
    static func httpURL(_ value: String) throws(ValueError) -> String {
        let checked = try text(value)
        let rest = checked.hasPrefix("http://") ? checked.dropFirst(7) : checked.hasPrefix("https://") ? checked.dropFirst(8) : nil
        guard let rest, let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty,
              !checked.contains(where: \.isWhitespace) else {
            throw ValueError("\(value.quotedForMessage) is not an http or https URL; write it as http://HOST:PORT (e.g. http://127.0.0.1:8080)")
        }
        return checked.hasSuffix("/") ? String(checked.dropLast()) : checked
    }

    /// A polling interval: a duration (BAN_TIME's syntax) from 1 second to 1 hour.
    static func interval(_ text: String) throws(ValueError) -> UInt64 {
        let seconds = try BanDuration.parse(text).seconds
        guard (1...3600).contains(seconds) else {
            throw ValueError("\(text.quotedForMessage) is out of range; use 1s to 1h (e.g. 10s)")
        }
        return seconds
    }

    /// A duration (BAN_TIME's syntax) from 1 second to `maximum` seconds; 0 is not allowed.
    static func span(_ text: String, maximum: UInt64) throws(ValueError) -> UInt64 {
        let seconds = try BanDuration.parse(text).seconds
        guard (1...maximum).contains(seconds) else {
            throw ValueError("\(text.quotedForMessage) is out of range; use 1s to \(BanDuration(seconds: maximum)) (e.g. 30d)")
        }
        return seconds
    }

    /// A growth factor from 1 to 100: a whole or decimal number (`2`, `1.5`); 1 = no growth.
    static func factor(_ text: String) throws(ValueError) -> Double {
        let digits = text.unicodeScalars.filter { $0 != "." }
        guard !text.isEmpty, text.count <= 8, text.first != ".", text.last != ".",
              text.unicodeScalars.count - digits.count <= 1,
              digits.allSatisfy({ ("0"..."9").contains($0) }),
              let value = Double(text), (1...100).contains(value) else {
            throw ValueError("\(text.quotedForMessage) is not a factor; use a number from 1 (no growth) to 100, e.g. 2 or 1.5")
        }
        return value
    }

    /// A name: letters, digits and `-_.:`, at most 64.
    static func name(_ text: String) throws(ValueError) -> String {
        guard !text.isEmpty, text.count <= 64,
              text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || "-_.:".unicodeScalars.contains($0) })
        else {
            throw ValueError("\(text.quotedForMessage) is not a name; use letters, digits, -, _, . or : (at most 64)")
        }
        return text
    }

    /// Names separated by commas and/or blanks.
    static func names(_ text: String) throws(ValueError) -> [String] {
        var out: [String] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) { out.append(try name(String(item))) }
        return out
    }
}
