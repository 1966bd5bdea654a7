import Testing
@testable import PortsentryCore

/// The ignore file: leniency (docs/configuration.md "Ignore file"), errors, matching and merging.
@Suite struct IgnoreListTests {
    func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    func list(_ text: String) throws -> IgnoreList { try IgnoreList.parse(text, path: "test.ignore").0 }

    @Test func isLenientAboutLayout() throws {
        let text = "# trusted hosts\r\n  192.0.2.1  \r\n\t10.0.0.0/8\t# office\r\n\r\n2001:DB8:ABCD::/48 #v6\n   # indented comment\n127.0.0.1"
        let (ignore, warnings) = try IgnoreList.parse(text, path: "test.ignore")
        #expect(warnings.isEmpty)
        #expect(ignore.entries.map(\.description) == ["10.0.0.0/8", "127.0.0.1", "192.0.2.1", "2001:db8:abcd::/48"])
        #expect(ignore.contains(try ip("192.0.2.1")))
        #expect(!ignore.contains(try ip("192.0.2.2")))
        #expect(ignore.contains(try ip("10.255.0.1")))
        #expect(ignore.contains(try ip("127.0.0.1")))
        #expect(ignore.contains(try ip("2001:db8:abcd:ffff::1")))
        #expect(!ignore.contains(try ip("2001:db8:abce::1")))
    }

    @Test func skipsAByteOrderMark() throws {
        #expect(try list("\u{FEFF}192.0.2.1\r\n").contains(try ip("192.0.2.1")))
    }

    @Test func masksHostBitsWithAWarning() throws {
        let (ignore, warnings) = try IgnoreList.parse("192.0.2.1\n10.1.2.3/8\n2001:db8::1/32\n", path: "x.ignore")
        #expect(warnings == ["x.ignore:2: 10.1.2.3/8 has host bits set; using 10.0.0.0/8",
                             "x.ignore:3: 2001:db8::1/32 has host bits set; using 2001:db8::/32"])
        #expect(ignore.contains(try ip("10.200.0.1")))
        #expect(ignore.contains(try ip("2001:db8:ffff::")))
    }

    @Test func slashZeroCoversItsWholeFamily() throws {
        let v4 = try list("0.0.0.0/0")
        #expect(v4.contains(try ip("203.0.113.9")))
        #expect(v4.contains(try ip("::ffff:203.0.113.9")))
        #expect(!v4.contains(try ip("2001:db8::1")))
        let v6 = try list("::/0")
        #expect(v6.contains(try ip("2001:db8::1")))
        #expect(!v6.contains(try ip("203.0.113.9")))
    }

    @Test func mappedSourcesMatchIPv4Entries() throws {
        let ignore = try list("198.51.100.0/24\n::ffff:203.0.113.5\n")
        #expect(ignore.contains(try ip("::ffff:198.51.100.77")))
        #expect(ignore.contains(try ip("203.0.113.5")))
        #expect(ignore.contains(try ip("::ffff:203.0.113.5")))
        #expect(!ignore.contains(try ip("::ffff:198.51.101.1")))
        #expect(!ignore.contains(try ip("::c633:644d")))
    }

    @Test func overlappingEntriesAndPrefixLengthsAllMatch() throws {
        let ignore = try list((0...32).map { "10.0.0.0/\($0)" }.joined(separator: "\n") + "\n10.0.0.0/8\n")
        #expect(ignore.entries.count == 33)
        #expect(ignore.contains(try ip("99.0.0.1")))
        let narrow = try list("10.0.0.0/32\n10.0.0.0/31\n")
        #expect(narrow.contains(try ip("10.0.0.1")))
        #expect(!narrow.contains(try ip("10.0.0.2")))
    }

    @Test func manyEntriesMatchExactly() throws {
        var lines: [String] = []
        for i in 0..<5_000 { lines.append("10.\(i / 250).\(i % 250).0/24") }
        for i in 0..<5_000 { lines.append("2001:db8:\(String(i, radix: 16))::/48") }
        let ignore = try list(lines.joined(separator: "\n"))
        #expect(ignore.entries.count == 10_000)
        #expect(ignore.contains(try ip("10.19.249.200")))
        #expect(!ignore.contains(try ip("10.20.0.1")))
        #expect(ignore.contains(try ip("2001:db8:1387:1::5")))
        #expect(!ignore.contains(try ip("2001:db8:1388::")))
    }

    @Test func emptyTextIsTheEmptyList() throws {
        #expect(try list("") == .empty)
        #expect(try list("# nothing\n\n   \n") == .empty)
        #expect(!IgnoreList.empty.contains(try ip("0.0.0.0")))
    }

    @Test func badLineIsFatalAndNamed() {
        #expect(throws: ConfigError(path: "test.ignore", line: 3, "\"example.com\" is not an IP address; write an address like 192.0.2.7 or 2001:db8::7, optionally with /prefix (host names are not allowed)")) {
            try list("192.0.2.1\n# fine\nexample.com # web\n")
        }
    }

    @Test func loadsAndMergesFiles() throws {
        let first = try TemporaryFile("192.0.2.1\n", suffix: ".ignore")
        let second = try TemporaryFile("2001:db8::/32\n192.0.2.1\n", suffix: ".ignore")
        let (merged, warnings) = try IgnoreList.load(paths: [first.path, "/nonexistent/portsentry.ignore", second.path])
        #expect(merged.entries.count == 2)
        #expect(merged.contains(try ip("2001:db8::9")))
        #expect(warnings == ["/nonexistent/portsentry.ignore: ignore file not found; skipping it"])
        #expect(try IgnoreList.load(path: first.path).0.entries.count == 1)
    }

    @Test func singleFileMustExistAndMergedFilesMustParse() throws {
        #expect(throws: ConfigError(path: "/nonexistent/x.ignore", "ignore file not found; create it (it may be empty) or fix IGNORE_FILE")) {
            try IgnoreList.load(path: "/nonexistent/x.ignore")
        }
        let bad = try TemporaryFile("192.0.2.1\nnope\n", suffix: ".ignore")
        #expect(throws: ConfigError(path: bad.path, line: 2, "\"nope\" is not an IP address; write an address like 192.0.2.7 or 2001:db8::7, optionally with /prefix (host names are not allowed)")) {
            try IgnoreList.load(paths: [bad.path])
        }
        #expect(throws: ConfigError(path: "/", "cannot read the ignore file (Is a directory); check its permissions and that it is a regular file")) {
            try IgnoreList.load(paths: ["/"])
        }
    }
}

@Suite struct IgnoreFileCompanionTests {
    @Test func readsTheStaticCompanionWhenPresent() throws {
        let main = try TemporaryFile("192.0.2.1\n", suffix: ".ignore")
        #expect(try IgnoreList.load(ignoreFile: main.path).0.entries.count == 1)
        let companion = try TemporaryFile("198.51.100.0/24\n10.0.0.1/8\n", at: main.path + ".static")
        let (merged, warnings) = try IgnoreList.load(ignoreFile: main.path)
        #expect(merged.contains(try #require(IPAddress("198.51.100.9"))))
        #expect(merged.contains(try #require(IPAddress("192.0.2.1"))))
        #expect(warnings == ["\(companion.path):2: 10.0.0.1/8 has host bits set; using 10.0.0.0/8"])
    }
}
