import Testing
@testable import PortsentryCore

/// The files under packaging/etc must pass our own parsers, with the values the comments promise.
@Suite struct ConfigShippedFilesTests {
    static let etc = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/packaging/etc"

    @Test func shippedConfigParses() throws {
        let config = try ConfigParser.load(path: "\(Self.etc)/portsentry.conf")
        #expect(config.tcpPorts.contains(31337))
        #expect(config.udpPorts.contains(31337))
        #expect(config.blockTCP == .block && config.blockUDP == .block)
        #expect(config.blockBackend == .auto)
        #expect(config.killRoute == nil)
        #expect(config.banTime == 86_400)
        #expect(config.ignoreFile == "/etc/portsentry/portsentry.ignore")
        #expect(config.advancedExcludeUDP.ports == [67, 137, 138, 520])
    }

    @Test(arguments: ["portsentry.ignore", "portsentry.ignore.static"])
    func shippedIgnoreFilesParseWithoutWarnings(name: String) throws {
        let (list, warnings) = try IgnoreList.load(path: "\(Self.etc)/\(name)")
        #expect(warnings.isEmpty)
        #expect(list.contains(try #require(IPAddress("127.0.0.1"))))
        #expect(list.contains(try #require(IPAddress("::1"))))
    }
}
