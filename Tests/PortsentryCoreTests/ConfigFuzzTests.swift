import Testing
@testable import PortsentryCore

/// Mutation fuzzing of the config and ignore parsers with a fixed seed: every input either
/// parses into a consistent value or fails with a one-line error naming the file; nothing crashes.
@Suite struct ConfigFuzzTests {
    /// SplitMix64: small, fast and the same sequence on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet: [Unicode.Scalar] = Array("\"=#\r\n \t0123456789-,$:/.%abfABFTKPX_".unicodeScalars)
        + ["\u{0}", "\u{7f}", "\u{e9}", "\u{FFFD}", "\u{1F600}", "\u{200B}"]

    /// Applies 1–4 random edits (insert, delete, duplicate, replace) to `seed`.
    static func mutate(_ seed: [Unicode.Scalar], _ rng: inout SeededGenerator) -> String {
        var s = seed
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = Int.random(in: 0...s.count, using: &rng)
            let length = Int.random(in: 0...min(8, s.count - at), using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: s.insert(alphabet.randomElement(using: &rng) ?? " ", at: at)
            case 1: s.removeSubrange(at..<(at + length))
            case 2: s.insert(contentsOf: s[at..<(at + length)], at: Int.random(in: 0...s.count, using: &rng))
            default: if at < s.count { s[at] = alphabet.randomElement(using: &rng) ?? " " }
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }

    static let configSeeds = [
        "TCP_PORTS=\"1,11,15,79,111-119\"\nUDP_PORTS=\"1,7,9\"\nBLOCK_TCP=\"1\"\nBLOCK_UDP = \"2\"\nKILL_RUN_CMD=\"/bin/echo $TARGET$ $PORT$\"\n",
        "# comment\nKILL_ROUTE=\"/sbin/iptables -I INPUT -s $TARGET$ -j DROP && echo \"$TARGET$\" >> x\"\nTCP_PORTS=\"22\" # ssh\n",
        "BAN_TIME=\"1h30m\"\nNFT_TABLE=\"portsentry\"\nNFT_SET_SIZE=\"65536\"\nSCAN_TRIGGER=\"0\"\nUDP_PORTS=\"53\"\r\n",
        "ADVANCED_PORTS_TCP=\"1024\"\nADVANCED_EXCLUDE_TCP=\"113,139\"\nTCP_PORTS=\"\"\nUDP_PORTS=\"1-65535\"\nRESOLVE_HOST=\"0\"",
    ].map { Array($0.unicodeScalars) }

    static let ignoreSeeds = [
        "127.0.0.1/32\n0.0.0.0\n# comment\n192.168.0.0/16 # lan\r\n",
        "::1\n2001:DB8::/32\n::ffff:10.0.0.0/104\nfe80::/10\n10.1.2.3/8",
    ].map { Array($0.unicodeScalars) }

    static let rounds = 100_000

    /// No control characters (line breaks included) and no invisible format characters.
    static func isOneLine(_ message: String) -> Bool {
        !message.unicodeScalars.contains(where: \.breaksMessageLine)
    }

    @Test func configParserNeverCrashes() {
        var rng = SeededGenerator(state: 0x5EED_C0F1)
        var parsed = 0
        for round in 0..<Self.rounds {
            let text = Self.mutate(Self.configSeeds[round % Self.configSeeds.count], &rng)
            do {
                let config = try ConfigParser.parse(text, path: "fuzz.conf")
                let lineCount = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect(config.lines.values.allSatisfy { (1...lineCount).contains($0) })
                parsed += 1
            } catch {
                let message = error.description
                if !Self.isOneLine(message) || !message.hasPrefix("fuzz.conf") {
                    Issue.record("bad message for \(text.debugDescription): \(message)")
                    return
                }
            }
        }
        // The mutations must leave some inputs valid and break others, or they test nothing.
        #expect(parsed > Self.rounds / 20 && parsed < Self.rounds * 19 / 20)
    }

    @Test func ignoreParserNeverCrashes() {
        var rng = SeededGenerator(state: 0x1C0_4E5)
        var parsed = 0
        for round in 0..<Self.rounds {
            let text = Self.mutate(Self.ignoreSeeds[round % Self.ignoreSeeds.count], &rng)
            do {
                let (list, warnings) = try IgnoreList.parse(text, path: "fuzz.ignore")
                if !list.entries.allSatisfy({ list.contains($0.network) }) || !warnings.allSatisfy(Self.isOneLine) {
                    Issue.record("inconsistent list for \(text.debugDescription)")
                    return
                }
                parsed += 1
            } catch {
                let message = error.description
                if !Self.isOneLine(message) || !message.hasPrefix("fuzz.ignore:") {
                    Issue.record("bad message for \(text.debugDescription): \(message)")
                    return
                }
            }
        }
        #expect(parsed > Self.rounds / 20 && parsed < Self.rounds * 19 / 20)
    }
}
