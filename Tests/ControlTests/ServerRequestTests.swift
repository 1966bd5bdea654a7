import PortsentryCore
import Testing
@testable import Control

/// Requests through a real server on a real socket.
@Suite struct ServerRequestTests {
    @Test func servesEveryCommand() async throws {
        let socket = TemporarySocket()
        let handler = ScriptedHandler()
        let server = try ControlServer.forTest(socket.path, handler: handler)
        let client = ControlClient(socketPath: socket.path)

        #expect(try await client.send(.status).status == ScriptedHandler.report)
        #expect(try await client.send(.list).bans == [ScriptedHandler.ban])
        let blocked = try await client.send(.block(BlockOrder(targets: [try CIDR(target: "198.51.100.0/24")], seconds: 30, force: true)))
        #expect(blocked.results == [TargetResult(address: "198.51.100.0/24", outcome: .blocked)])
        let unblocked = try await client.send(.unblock([try CIDR(target: "192.0.2.7"), try CIDR(target: "192.0.2.8")]))
        #expect(unblocked.results?.map(\.outcome) == [.unblocked, .notBanned])
        #expect(try await client.send(.flush).flushed == 1)
        #expect(try await client.send(.reload).reload == ReloadReport(accepted: true, message: "ok"))
        #expect(try await client.send(.protected).protected == [ProtectedEntry(address: "192.0.2.1", reason: "default gateway")])
        #expect(try await client.send(.activity).activity == ScriptedHandler.activity)
        #expect(handler.calls.withLock { $0 } == [
            "status", "list", "block [198.51.100.0/24] 30 force=true", "unblock [192.0.2.7, 192.0.2.8]", "flush", "reload", "protected",
            "activity",
        ])
        await server.stop()
    }

    @Test func handlerErrorBecomesFailureResponse() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path, handler: ScriptedHandler(failFlush: true))
        let response = try await ControlClient(socketPath: socket.path).send(.flush)
        #expect(!response.ok)
        #expect(response.code == .failed)
        #expect(response.error == "firewall rejected the change")
        await server.stop()
    }

    /// One malformed request; shown in test output by its name only.
    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var line: String
        var error: String
        var testDescription: String { name }

        init(name: String, _ line: String, _ error: String) {
            self.name = name; self.line = line; self.error = error
        }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "not JSON", "hello\n", "malformed JSON"),
        Malformed(name: "truncated JSON", #"{"v":1,"cmd":"#  + "\n", "malformed JSON"),
        Malformed(name: "JSON array", "[1,2]\n", "expected a JSON object"),
        Malformed(name: "empty line", "\n", "malformed JSON"),
        Malformed(name: "no version", #"{"cmd":"list"}"# + "\n", #"missing protocol version "v""#),
        Malformed(name: "wrong version", #"{"v":2,"cmd":"list"}"# + "\n", "unsupported protocol version 2"),
        Malformed(name: "version as text", #"{"v":"1","cmd":"list"}"# + "\n", #""v" should be an integer"#),
        Malformed(name: "no command", #"{"v":1}"# + "\n", #"missing command "cmd""#),
        Malformed(name: "unknown command", #"{"v":1,"cmd":"shutdown"}"# + "\n", "unknown command 'shutdown'"),
        Malformed(name: "block without addresses", #"{"v":1,"cmd":"block"}"# + "\n", #""addresses" must name at least one address"#),
        Malformed(name: "unblock with empty list", #"{"v":1,"cmd":"unblock","addresses":[]}"# + "\n", #""addresses" must name at least one address"#),
        Malformed(name: "hostname", #"{"v":1,"cmd":"block","addresses":["example.com"]}"# + "\n", "bad address 'example.com'"),
        Malformed(name: "injection", #"{"v":1,"cmd":"unblock","addresses":["1.2.3.4 } ; flush ruleset"]}"# + "\n", "bad address"),
        Malformed(name: "prefix too long", #"{"v":1,"cmd":"block","addresses":["10.0.0.0/33"]}"# + "\n", "bad address '10.0.0.0/33'"),
        Malformed(name: "host bits set", #"{"v":1,"cmd":"block","addresses":["10.0.0.1/8"]}"# + "\n", "did you mean 10.0.0.0/8?"),
        Malformed(name: "address not a string", #"{"v":1,"cmd":"block","addresses":[17]}"# + "\n", #""addresses.[0]" should be a string"#),
        Malformed(name: "negative duration", #"{"v":1,"cmd":"block","addresses":["10.0.0.1"],"duration":-5}"# + "\n", #""duration" must be a whole number of seconds"#),
        Malformed(name: "duration as text", #"{"v":1,"cmd":"block","addresses":["10.0.0.1"],"duration":"10m"}"# + "\n", #""duration" should be a number"#),
        Malformed(name: "fractional duration", #"{"v":1,"cmd":"block","addresses":["10.0.0.1"],"duration":1.5}"# + "\n", #""duration" must be a whole number of seconds"#),
        Malformed(name: "duration too long", #"{"v":1,"cmd":"block","addresses":["10.0.0.1"],"duration":99999999999}"# + "\n", "from 0 to 18446659200"),
        Malformed(name: "control character in reason", #"{"v":1,"cmd":"block","addresses":["10.0.0.1"],"reason":"a\nb"}"# + "\n", "without control characters"),
        Malformed(name: "force not a bool", #"{"v":1,"cmd":"block","addresses":["10.0.0.1"],"force":"yes"}"# + "\n", #""force" should be true or false"#),
        Malformed(name: "oversize line", String(repeating: "x", count: 70_000) + "\n", "request longer than 65536 bytes"),
        Malformed(name: "oversize without newline", String(repeating: " ", count: 200_000), "request longer than 65536 bytes"),
    ]

    @Test(arguments: malformed)
    func malformedRequestGetsErrorAndServerKeepsServing(_ item: Malformed) async throws {
        let socket = TemporarySocket()
        let handler = ScriptedHandler()
        let server = try ControlServer.forTest(socket.path, handler: handler)
        let client = ControlClient(socketPath: socket.path)

        let answer = try ControlResponse(line: try await client.exchange(Array(item.line.utf8)))
        #expect(!answer.ok, "\(item.name)")
        #expect(answer.code == .badRequest, "\(item.name)")
        #expect(answer.error?.contains(item.error) == true, "\(item.name): \(answer.error ?? "nil")")
        #expect(handler.calls.withLock { $0 }.isEmpty, "\(item.name): handler must not run")

        #expect(try await client.send(.status).ok, "server still serves after \(item.name)")
        await server.stop()
    }

    @Test func lastLineWithoutNewlineIsServedWhenClientStopsWriting() async throws {
        let socket = TemporarySocket()
        let server = try ControlServer.forTest(socket.path)
        let reply = try await ControlClient(socketPath: socket.path).exchange(Array(#"{"v":1,"cmd":"list"}"#.utf8))
        #expect(try ControlResponse(line: reply).bans == [ScriptedHandler.ban])
        await server.stop()
    }
}
