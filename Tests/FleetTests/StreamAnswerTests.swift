import Foundation
@testable import Fleet
import PortsentryCore
import Testing

/// Hostile and sloppy LAPI answers: survived, read item by item.
@Suite struct StreamAnswerTests {
    private func intake(_ json: String, origin: String = "portsentry", origins: [String] = [],
                        ledger: PushLedger = PushLedger()) throws -> DecisionIntake {
        let answer = try #require(StreamAnswer.parse(Data(json.utf8)))
        return DecisionIntake(answer, ourOrigin: origin, origins: origins, ledger: ledger, now: 1_000_000)
    }

    private func item(_ fields: String) -> String {
        #"{"duration":"1h","id":1,"origin":"crowdsec","scenario":"s","scope":"Ip","type":"ban","value":"192.0.2.1",\#(fields)}"#
    }

    @Test func nullMissingAndEmptyListsAreEmpty() throws {
        for json in [#"{"new":null,"deleted":null}"#, "{}", #"{"new":[],"deleted":[]}"#] {
            let i = try intake(json)
            #expect(i.bans.isEmpty && i.deletions.isEmpty && i.invalid.isEmpty)
        }
    }

    @Test func notAnObjectIsRejectedWhole() {
        #expect(StreamAnswer.parse(Data("[1,2]".utf8)) == nil)
        #expect(StreamAnswer.parse(Data("<html>".utf8)) == nil)
    }

    @Test func aListOfTheWrongTypeIsOneInvalidItem() throws {
        let i = try intake(#"{"new":"everything","deleted":42}"#)
        #expect(i.bans.isEmpty && i.invalid.count == 2)
    }

    @Test func wrongTypesInvalidAddressesAndDurationsAreSkippedOneByOne() throws {
        let json = """
            {"new":[\(item(#""x":0"#)),
                    {"duration":3600,"id":2,"origin":"crowdsec","scope":"Ip","type":"ban","value":"192.0.2.2"},
                    {"duration":"1h","id":"3","origin":"crowdsec","scope":"Ip","type":"ban","value":"192.0.2.3"},
                    {"duration":"1h","id":4,"origin":"crowdsec","scope":"Ip","type":"ban","value":"999.1.1.1"},
                    {"duration":"-5m","id":5,"origin":"crowdsec","scope":"Ip","type":"ban","value":"192.0.2.5"},
                    {"duration":"0.4s","id":6,"origin":"crowdsec","scope":"Ip","type":"ban","value":"192.0.2.6"},
                    {"duration":"90.9s","id":7,"origin":"crowdsec","scope":"Ip","type":"ban","value":"192.0.2.7","uuid":"u"},
                    {"duration":"1d","id":8,"origin":"crowdsec","scope":"Ip","type":"ban","value":"192.0.2.8"},
                    null, 17, "ban",
                    {"duration":"1h","id":9,"origin":"crowdsec","scope":"Ip","type":"captcha","value":"192.0.2.9"},
                    {"duration":"1h","id":10,"origin":"crowdsec","scope":"Country","type":"ban","value":"FR"},
                    {"duration":"1h","id":11,"origin":"crowdsec","scope":"Range","type":"ban","value":"198.51.100.0/24"},
                    {"duration":"1h","id":13,"origin":"crowdsec","scope":"Range","type":"ban","value":"198.51.100.7"},
                    {"duration":"1h","id":12,"origin":"crowdsec","scope":"ip","type":"ban","value":"::ffff:192.0.2.12"}]}
            """
        let i = try intake(json)
        #expect(i.bans.map(\.target.description) == ["192.0.2.1", "192.0.2.7", "198.51.100.0/24", "192.0.2.12"])
        #expect(i.bans.map(\.seconds) == [3600, 90, 3600, 3600])
        #expect(i.bans.allSatisfy { $0.source == "lapi:crowdsec" })
        #expect(i.ignored == 2)
        // ids 2, 3 (wrong types), 4 (address), 5 (negative), 6 (fractional under 1 s), 8 (`d`), 13 (a Range
        // without a length), null, 17, "ban"
        #expect(i.invalid.count == 10)
    }

    @Test func deletedItemsWithNegativeDurationsAreDeletions() throws {
        let i = try intake(#"{"deleted":[{"duration":"-17h44m25s","id":3,"origin":"cscli","scope":"Ip","type":"ban","value":"2001:db8::1"}],"new":null}"#)
        #expect(i.deletions == [DecisionIntake.Deletion(id: 3, target: CIDR(host: IPAddress("2001:db8::1")!))])
    }

    @Test func ourOwnDecisionIsRecognisedNotApplied() throws {
        let ledger = PushLedger()
        ledger.record(IPAddress("192.0.2.1")!, expiresAt: 1_000_000 + 3_600_000 - 2_000)
        let i = try intake("{\"new\":[\(item(#""x":1"#).replacingOccurrences(of: "crowdsec", with: "portsentry"))]}", ledger: ledger)
        #expect(i.bans.isEmpty && i.echoes == [IPAddress("192.0.2.1")!])
        // A peer's decision of the same origin that we did not push is a fleet ban.
        let peer = try intake("{\"new\":[\(item(#""x":1"#).replacingOccurrences(of: "crowdsec", with: "portsentry"))]}")
        #expect(peer.bans.map(\.source) == ["lapi:portsentry"])
    }

    @Test func originsFilterAndHostileOriginText() throws {
        let filtered = try intake("{\"new\":[\(item(#""x":1"#))]}", origins: ["cscli"])
        #expect(filtered.bans.isEmpty && filtered.ignored == 1)
        let odd = try intake("{\"new\":[\(item(#""x":1"#).replacingOccurrences(of: "\"crowdsec\"", with: "\"a b\\nc\\u0000d\""))]}")
        #expect(odd.bans.map(\.source) == ["lapi:abcd"])
    }

    @Test func hugeListsAreCapped() throws {
        let one = item(#""x":0"#)
        let json = "{\"new\":[" + Array(repeating: one, count: DecisionIntake.maxItems + 5).joined(separator: ",") + "]}"
        let i = try intake(json)
        #expect(i.bans.count == DecisionIntake.maxItems)
        #expect(i.invalid.count == 1)
    }
}
