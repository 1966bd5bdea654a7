import Testing
import TestSupport
@testable import Firewall

/// Tests/corpus/statefile: the fuzzing seeds are files as the daemon writes them; `bad-*` are refused.
@Suite struct StateFileSeedTests {
    static func contents(_ name: String) throws -> [UInt8] { try Corpus.bytes("\(Corpus.root)/statefile/\(name)") }

    @Test(arguments: Corpus.seeds("statefile", "state", refused: false))
    func seedIsWhatTheDaemonWrites(name: String) throws {
        let contents = try Self.contents(name)
        #expect(Array(BanStateFile.text(of: try BanStateFile.bans(in: contents)).utf8) == contents)
    }

    @Test(arguments: Corpus.seeds("statefile", "state", refused: true))
    func badSeedIsRefused(name: String) throws {
        let contents = try Self.contents(name)
        #expect(throws: BanStateFile.FormatError.self) { try BanStateFile.bans(in: contents) }
    }
}
