import Testing
@testable import PortsentryCore

/// METRICS_LISTEN: one address and port; loopback unless another address is named itself,
/// never a wildcard; errors name the file, the line and the fix.
@Suite struct MetricsListenTests {
    @Test(arguments: [
        ("127.0.0.1:9632", "127.0.0.1:9632", true), ("[::1]:9632", "[::1]:9632", true),
        ("localhost:9632", "127.0.0.1:9632", true), ("127.0.0.2:80", "127.0.0.2:80", true),
        ("192.0.2.10:9632", "192.0.2.10:9632", false), ("[2001:db8::1]:9100", "[2001:db8::1]:9100", false),
        ("[::ffff:127.0.0.1]:9632", "[::ffff:127.0.0.1]:9632", true),
    ])
    func readsAnAddressAndAPort(text: String, canonical: String, loopback: Bool) throws {
        let listen = try MetricsListen.parse(text)
        #expect(listen.description == canonical)
        #expect(listen.isLoopback == loopback)
    }

    @Test(arguments: ["0.0.0.0:9632", "[::]:9632", "*:9632", ":9632", "9632", "[::ffff:0.0.0.0]:9632"])
    func refusesEveryAddressAtOnce(text: String) {
        #expect(throws: ValueError.self) { try MetricsListen.parse(text) }
        #expect(message(text).contains("every address") && message(text).contains("127.0.0.1:9632"))
    }

    @Test(arguments: [
        ("127.0.0.1", "has no port"), ("::1:9632", "in brackets"), ("[::1]9632", "[::1]:9632"),
        ("127.0.0.1:0", "not a port"), ("127.0.0.1:65536", "not a port"), ("127.0.0.1:+80", "not a port"),
        ("metrics.example:9632", "not an IP address"), ("[fe80::1%eth0]:9632", "not an IP address"),
    ])
    func saysWhatIsWrong(text: String, words: String) {
        #expect(message(text).contains(words), "\(message(text))")
    }

    @Test func aConfigErrorNamesFileLineAndFix() {
        do {
            _ = try ConfigParser.parse("TCP_PORTS=\"1\"\nMETRICS_LISTEN=\"0.0.0.0:9632\"\n", path: "/etc/portsentry/portsentry.conf")
            Issue.record("accepted a wildcard")
        } catch {
            #expect(error.description.hasPrefix("/etc/portsentry/portsentry.conf:2: METRICS_LISTEN: \"0.0.0.0:9632\" would serve metrics on every address"))
            #expect(error.description.contains("write 127.0.0.1:9632"))
        }
    }

    @Test func offByDefaultAndWhenEmpty() throws {
        #expect(Config().metricsListen == nil)
        let text = "TCP_PORTS=\"1\"\nMETRICS_LISTEN=\"127.0.0.1:9632\"\nMETRICS_LISTEN=\"\"\n"
        #expect(try ConfigParser.parse(text, path: "t.conf").metricsListen == nil)
    }

    private func message(_ text: String) -> String {
        do {
            _ = try MetricsListen.parse(text)
            return ""
        } catch {
            return error.message
        }
    }
}
