#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PortsentryCore

/// Tests/corpus/{config,ignore}: each broken `<name>.conf` / `<name>.ignore` has a sibling
/// `<name>.expected` holding the exact one-line error, with the file named by its base name.
enum Corpus {
    static let root = "/" + #filePath.split(separator: "/").dropLast(2).joined(separator: "/") + "/corpus"

    /// Base names of the files in `folder` ending in `.extension`, sorted.
    static func names(_ folder: String, _ ext: String) -> [String] {
        guard let dir = opendir("\(root)/\(folder)") else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".\(ext)") { names.append(name) }
        }
        return names.sorted()
    }

    static func text(_ path: String) throws -> String {
        guard case .text(let text) = TextFile.contents(of: path) else { throw ValueError("cannot read \(path)") }
        return text
    }

    static func expected(_ folder: String, _ name: String) throws -> String {
        let stem = name.split(separator: ".").dropLast().joined(separator: ".")
        return String(try text("\(root)/\(folder)/\(stem).expected").split(separator: "\n").first ?? "")
    }
}

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
}
