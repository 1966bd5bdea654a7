import Testing
@testable import PortsentryCore

/// Port lists, durations, command tokens and key suggestions.
@Suite struct ConfigValueTests {
    @Test(arguments: [
        ("1", [1]), ("65535", [65535]), ("1,2,3", [1, 2, 3]), ("3,1,2,1", [1, 2, 3]),
        ("10-12", [10, 11, 12]), ("5-5", [5]), (" 1 , 2-3 ", [1, 2, 3]), ("", []), ("080", [80]),
        ("65534-65535,1", [1, 65534, 65535]),
    ] as [(String, [UInt16])])
    func parsesPortLists(text: String, ports: [UInt16]) throws {
        #expect(try PortSet.parse(text).ports == ports)
    }

    @Test func buildsPortSetsFromRangesLikeOnePortAtATime() {
        var rng = ConfigFuzzTests.SeededGenerator(state: 42)
        for _ in 0..<20 {
            let ranges: [ClosedRange<UInt16>] = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                let a = UInt16.random(in: 0...UInt16.max, using: &rng)
                return a...UInt16.random(in: a...min(UInt16.max, a &+ 200 < a ? UInt16.max : a + 200), using: &rng)
            }
            let expected = Set(ranges.flatMap { Array($0) })
            let set = PortSet(ranges)
            #expect(set.ports == expected.sorted())
            #expect((0...UInt16.max).allSatisfy { set.contains($0) == expected.contains($0) })
        }
        #expect(PortSet([0...UInt16.max]).ports.count == 65_536)
        let rest = PortSet([1...100]).subtracting(PortSet([2...99, 500...600]))
        #expect(rest.ports == [1, 100])
        #expect(rest == PortSet([1...1, 100...100]))
        #expect(!rest.contains(50))
    }

    @Test(arguments: [
        ("0", "bad port \"0\": ports are 1-65535"),
        ("65536", "bad port \"65536\": ports are 1-65535"),
        ("999999999999999999999", "bad port \"999999999999999999999\": ports are 1-65535"),
        ("1,x", "bad port \"x\": use port numbers 1-65535 and ranges like 100-200, separated by commas"),
        ("+1", "bad port \"+1\": use port numbers 1-65535 and ranges like 100-200, separated by commas"),
        ("1-2-3", "bad port \"1-2-3\": use port numbers 1-65535 and ranges like 100-200, separated by commas"),
        ("1 2", "bad port \"1 2\": use port numbers 1-65535 and ranges like 100-200, separated by commas"),
        ("9-1", "bad range \"9-1\": 9 is above 1; write the lower port first"),
        (",", "empty item in the port list (two commas in a row, or a comma at an end); remove the extra comma"),
    ])
    func rejectsBadPortItemsByName(text: String, message: String) {
        #expect(throws: ValueError(message)) { try PortSet.parse(text) }
    }

    @Test(arguments: [
        ("0", UInt64(0)), ("90", 90), ("90s", 90), ("10m", 600), ("24h", 86_400), ("7d", 604_800),
        ("1h30m", 5_400), ("1d1s", 86_401), ("213503d", 213_503 * 86_400), ("0s", 0), ("00042", 42),
    ] as [(String, UInt64)])
    func parsesDurations(text: String, seconds: UInt64) throws {
        #expect(try BanDuration.parse(text).seconds == seconds)
    }

    @Test(arguments: ["", "s", "1x", "-5", "1.5h", "1h30", " 1h", "1H", "213503d1s", "99999999999999999999", "18446744073709551615d"])
    func rejectsBadDurations(text: String) {
        #expect(throws: ValueError.self) { try BanDuration.parse(text) }
    }

    @Test func printsDurationsInLargestUnits() throws {
        #expect(BanDuration(seconds: 0).description == "0")
        #expect(BanDuration(seconds: 90).description == "1m30s")
        #expect(BanDuration(seconds: 86_400).description == "1d")
        #expect(BanDuration(seconds: 93_600).description == "1d2h")
        #expect(!BanDuration(seconds: 0).expires)
        #expect(try BanDuration.parse(BanDuration(seconds: 5_400).description).seconds == 5_400)
    }

    @Test func rendersCommandTokens() throws {
        let template = CommandTemplate("iptables -I INPUT -s $TARGET$ -j DROP # $PORT$ $MODE$ $TARGET$ $OTHER$ $")
        let ip = try #require(IPAddress("2001:DB8::7"))
        #expect(template.render(target: ip, port: 8080, mode: .connect)
            == "iptables -I INPUT -s 2001:db8::7 -j DROP # 8080 connect 2001:db8::7 $OTHER$ $")
        #expect(template.mentionsTarget)
        #expect(!CommandTemplate("echo $PORT$").mentionsTarget)
        #expect(CommandTemplate("$$TARGET$$").render(target: .v4(0x0a00_0001), port: 1, mode: .stealth) == "$10.0.0.1$")
        #expect(CommandTemplate("").render(target: .v4(1), port: 1, mode: .stealth) == "")
    }

    @Test(arguments: [
        ("TCP_PORT", ConfigKey.tcpPorts), ("UDP_PORT", .udpPorts), ("tcp_ports", .tcpPorts), ("BLOCKTCP", .blockTCP),
        ("KILL_HOST_DENY", .killHostsDeny), ("KILL_RUNCMD", .killRunCmd), ("SCAN_TRIGGERS", .scanTrigger),
        ("RESOLVE_HOSTS", .resolveHost), ("BAN_TIMEOUT", .banTime), ("NFT_TABEL", .nftTable), ("KILL", .killRoute),
        ("ADVANCED_PORT_TCP", .advancedPortsTCP), ("IGNORE", .ignoreFile), ("STATEFILE", .stateFile),
    ])
    func suggestsTheNearestKey(name: String, key: ConfigKey) {
        #expect(ConfigKey.suggestion(for: name) == key)
    }

    @Test(arguments: ["X", "FOOBAR", "LISTEN_ADDRESS", "", "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"])
    func suggestsNothingForUnrelatedNames(name: String) {
        #expect(ConfigKey.suggestion(for: name) == nil)
    }

    @Test func editDistanceCountsEdits() {
        #expect(editDistance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(editDistance([UInt8](), Array("abc".utf8)) == 3)
        #expect(editDistance(Array("abc".utf8), []) == 3)
        #expect(editDistance(Array("same".utf8), Array("same".utf8)) == 0)
    }

    @Test func quotesMessagesOnOneLine() {
        #expect("a\"b\\c\td\u{0}".quotedForMessage == #""a\"b\\c\td\u{0}""#)
        #expect(String(repeating: "x", count: 100).quotedForMessage == "\"" + String(repeating: "x", count: 60) + "...\"")
    }
}
