import PortsentryCore
import Testing
@testable import Control

@Suite struct ProtocolTests {
    static let requests: [ControlRequest] = [
        .status, .list, .flush, .reload, .protected, .activity,
        .unblock([try! CIDR(target: "192.0.2.7"), try! CIDR(target: "2001:db8::/64")]),
        .block(BlockOrder(targets: [try! CIDR(target: "10.0.0.0/8")], seconds: 120, reason: "manual", force: true)),
        .block(BlockOrder(targets: [try! CIDR(target: "::1")])),
    ]

    @Test(arguments: requests)
    func requestRoundTrip(_ request: ControlRequest) throws {
        let line = request.encodedLine()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        #expect(try ControlRequest(line: line.dropLast()) == request)
    }

    @Test func requestWireFormat() {
        let line = ControlRequest.block(BlockOrder(targets: [try! CIDR(target: "192.0.2.7")], seconds: 90)).encodedLine()
        #expect(String(decoding: line, as: UTF8.self)
            == #"{"addresses":["192.0.2.7"],"cmd":"block","duration":90,"force":false,"v":1}"# + "\n")
    }

    static let responses: [ControlResponse] = [
        .status(ScriptedHandler.report),
        .bans([ScriptedHandler.ban, BanEntry(address: "2001:db8::1", expiresIn: nil, bannedAt: nil, trigger: nil, hits: 0, reason: "x")]),
        .results([TargetResult(address: "192.0.2.7", outcome: .notBanned), TargetResult(address: "::1", outcome: .refused, detail: "local")]),
        .flushed(3),
        .protected([ProtectedEntry(address: "192.0.2.1", reason: "default gateway"), ProtectedEntry(address: "198.51.100.0/24", reason: "PROTECT")]),
        .reload(ReloadReport(accepted: false, message: "line 3: unknown key")),
        .activity(ScriptedHandler.activity),
        .failure("boom", code: .badRequest),
    ]

    @Test(arguments: responses)
    func responseRoundTrip(_ response: ControlResponse) throws {
        let line = response.encodedLine()
        #expect(try ControlResponse(line: line.dropLast()) == response)
    }

    @Test func failureWireFormat() {
        #expect(String(decoding: ControlResponse.failure("nope", code: .permissionDenied).encodedLine(), as: UTF8.self)
            == #"{"code":"permission-denied","error":"nope","ok":false,"v":1}"# + "\n")
    }

    @Test(arguments: [
        (#"{"v":2,"ok":true}"#, "protocol version 2"),
        (#"{"v":1,"ok":false}"#, "failure without an error message"),
        ("garbage", "malformed JSON"),
    ])
    func badResponses(_ text: String, _ expected: String) {
        #expect {
            try ControlResponse(line: Array(text.utf8))
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func sortsBansByTimeLeft() {
        let bans = [
            BanEntry(address: "b", expiresIn: nil, bannedAt: nil, trigger: nil, hits: 0),
            BanEntry(address: "c", expiresIn: 50, bannedAt: nil, trigger: nil, hits: 0),
            BanEntry(address: "a", expiresIn: 50, bannedAt: nil, trigger: nil, hits: 0),
            BanEntry(address: "d", expiresIn: 5, bannedAt: nil, trigger: nil, hits: 0),
        ]
        #expect(bans.sorted(by: BanEntry.byTimeLeft).map(\.address) == ["d", "a", "c", "b"])
    }
}
