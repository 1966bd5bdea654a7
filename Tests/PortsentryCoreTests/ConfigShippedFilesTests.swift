import Testing
@testable import PortsentryCore

/// The files under packaging/etc must pass our own parsers, with the values the comments promise,
/// and every key must be documented there and in docs/configuration.md.
@Suite struct ConfigShippedFilesTests {
    static let root = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    static let etc = root + "/packaging/etc"

    static func text(_ path: String) throws -> String {
        guard case .text(let text) = TextFile.contents(of: path) else { throw ValueError("cannot read \(path)") }
        return text
    }

    @Test func everyKeyIsDocumented() throws {
        let reference = try Self.text("\(Self.root)/docs/configuration.md")
        let shipped = try Self.text("\(Self.etc)/portsentry.conf")
        for key in ConfigKey.allCases {
            #expect(reference.contains("| `\(key.rawValue)` |"), "docs/configuration.md has no table row for \(key.rawValue)")
            #expect(shipped.contains("\(key.rawValue)=\""), "packaging/etc/portsentry.conf does not mention \(key.rawValue)")
        }
    }

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
