import Foundation
import PortsentryCore
import Testing
import TestSupport

@Suite struct DirectoryListingTests {
    /// Names of every length up to the longest a file system allows, each read whole: the
    /// records are as long as their names (under AddressSanitizer a copy of `d_name` whole
    /// read past the last one's end).
    @Test func namesOfEveryLengthComeBackWhole() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let names = [1, 2, 7, 8, 9, 100, 254, 255].map { String(repeating: "n", count: $0 - 1) + "x" }
        for name in names { #expect(FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: nil)) }
        #expect(DirectoryListing.names(in: dir)?.filter { $0 != "." && $0 != ".." }.sorted() == names.sorted())
        #expect(DirectoryListing.names(in: dir + "/missing") == nil)
    }
}
