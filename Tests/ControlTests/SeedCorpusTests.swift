import Testing
import TestSupport
@testable import Control

/// Tests/corpus/control: the fuzzing seeds are lines the client really writes; `bad-*` are refused.
@Suite struct SeedCorpusTests {
    static func line(_ name: String) throws -> [UInt8] { try Corpus.bytes("\(Corpus.root)/control/\(name)") }

    @Test(arguments: Corpus.seeds("control", "json", refused: false))
    func seedIsWhatTheClientSends(name: String) throws {
        let line = try Self.line(name)
        #expect(try ControlRequest(line: line).encodedLine().dropLast() == line[...])
    }

    @Test(arguments: Corpus.seeds("control", "json", refused: true))
    func badSeedIsRefused(name: String) throws {
        let line = try Self.line(name)
        #expect(throws: ControlError.self) { try ControlRequest(line: line) }
    }
}
