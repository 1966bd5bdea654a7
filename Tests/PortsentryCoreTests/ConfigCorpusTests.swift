import Testing
@testable import PortsentryCore
import TestSupport

/// Tests/corpus/{config,ignore}: each broken `<name>.conf` / `<name>.ignore` has a sibling
/// `<name>.expected` holding the exact one-line error, with the file named by its base name.
/// The files under `valid/` are fuzzing seeds that must be accepted.
@Suite struct ConfigCorpusTests {
    @Test func corpusIsLargeEnough() {
        #expect(Corpus.names("config", "conf").count + Corpus.names("ignore", "ignore").count >= 30)
    }

    @Test(arguments: Corpus.names("config", "conf"))
    func brokenConfigGivesItsExpectedMessage(name: String) throws {
        let text = try Corpus.text("\(Corpus.root)/config/\(name)")
        let expected = try Corpus.expected("config", name)
        let error = #expect(throws: ConfigError.self) { try ConfigParser.parse(text, path: name) }
        #expect(error?.description == expected)
    }

    @Test(arguments: Corpus.names("ignore", "ignore"))
    func brokenIgnoreFileGivesItsExpectedMessage(name: String) throws {
        let text = try Corpus.text("\(Corpus.root)/ignore/\(name)")
        let expected = try Corpus.expected("ignore", name)
        let error = #expect(throws: ConfigError.self) { try IgnoreList.parse(text, path: name) }
        #expect(error?.description == expected)
    }

    @Test(arguments: Corpus.names("config/valid", "conf"))
    func seedConfigIsAccepted(name: String) throws {
        _ = try ConfigParser.parse(try Corpus.text("\(Corpus.root)/config/valid/\(name)"), path: name)
    }

    @Test(arguments: Corpus.names("ignore/valid", "ignore"))
    func seedIgnoreFileIsAccepted(name: String) throws {
        _ = try IgnoreList.parse(try Corpus.text("\(Corpus.root)/ignore/valid/\(name)"), path: name)
    }
}
