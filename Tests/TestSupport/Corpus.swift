#if canImport(Glibc)
import Glibc
#endif
import PortsentryCore

/// Tests/corpus/: the broken-input files with their expected errors, and the fuzzing seeds
/// (docs/fuzzing.md).
public enum Corpus {
    public static let root = "/" + #filePath.split(separator: "/").dropLast(2).joined(separator: "/") + "/corpus"

    /// Base names of the files in `folder` (under `root`) ending in `.extension`, sorted.
    public static func names(_ folder: String, _ ext: String) -> [String] {
        (DirectoryListing.names(in: "\(root)/\(folder)") ?? []).filter { $0.hasSuffix(".\(ext)") }.sorted()
    }

    /// The fuzzing seeds in `folder` that the parser must refuse (named `bad-*`), or accept.
    public static func seeds(_ folder: String, _ ext: String, refused: Bool) -> [String] {
        names(folder, ext).filter { $0.hasPrefix("bad-") == refused }
    }

    public static func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    public static func bytes(_ path: String) throws -> [UInt8] {
        guard case .success(let bytes) = TextFile.bytes(of: path) else { throw ValueError("cannot read \(path)") }
        return bytes
    }

    /// The first line of `<stem>.expected` beside `name` in `folder`.
    public static func expected(_ folder: String, _ name: String) throws -> String {
        let stem = name.split(separator: ".").dropLast().joined(separator: ".")
        return String(try text("\(root)/\(folder)/\(stem).expected").split(separator: "\n").first ?? "")
    }
}
