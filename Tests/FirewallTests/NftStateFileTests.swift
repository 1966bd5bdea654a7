import Foundation
import PortsentryCore
import Testing
import TestSupport
@testable import Firewall

@Suite struct NftStateFileTests {
    let sample = [
        Ban(address: ip("10.0.0.1"), expiresAt: 1_900_000_000_123,
            origin: .probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan")), since: 1_800_000_000_000, hits: 4,
            offence: 3, seconds: 345_600),
        Ban(address: ip("fd00::2"), expiresAt: nil, origin: .manual(reason: nil), since: 5, hits: 0),
        Ban(address: ip("10.0.0.4"), expiresAt: nil, origin: .manual(reason: "office scan"), since: 6, hits: 0),
        Ban(address: ip("10.0.0.5"), expiresAt: nil, origin: .fleet("lapi:crowdsec"), since: 8, hits: 0),
        Ban(address: ip("10.0.0.3"), expiresAt: 7, hits: 1),
    ]

    @Test func roundTrip() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let file = BanStateFile(path: dir + "/sub/bans.state")
        try file.write(sample)
        #expect(try file.read() == sample)
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(text.hasPrefix("portsentry-bans 2\n"))
        #expect(!FileManager.default.fileExists(atPath: file.path + ".portsentry-tmp"))
    }

    @Test func freeTextCannotBreakTheLineFormat() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let file = BanStateFile(path: dir + "/bans.state")
        let ban = Ban(address: ip("10.0.0.9"), expiresAt: nil, origin: .manual(reason: "a\tb\nc"), since: 1)
        try file.write([ban])
        #expect(try file.read().first?.origin == .manual(reason: "a b c"))
    }

    @Test func theFirstVersionStillLoadsItsBansAsFirstOffences() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/bans.state"
        try "portsentry-bans 1\n10.0.0.1\t1900000000123\t4\t1800000000000\tTCP\t23\tTCP SYN/Normal scan\n10.0.0.5\tnever\t0\t8\t-\t-\tfleet: lapi:crowdsec\n"
            .write(toFile: path, atomically: false, encoding: .utf8)
        let bans = try BanStateFile(path: path).read()
        #expect(bans.map(\.address) == [ip("10.0.0.1"), ip("10.0.0.5")])
        #expect(bans.map(\.offence) == [1, 1] && bans.map(\.seconds) == [nil, nil])
        #expect(bans[0].origin == .probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan")) && bans[0].hits == 4)
        #expect(bans[1].origin == .fleet("lapi:crowdsec"))
    }

    @Test func missingFileIsEmpty() throws {
        #expect(try BanStateFile(path: "/nonexistent-dir/bans.state").read().isEmpty)
    }

    @Test func failedWriteLeavesTheOldFileWhole() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let file = BanStateFile(path: dir + "/bans.state")
        try file.write(sample)
        // A directory where the temp file must go makes the write fail before the rename.
        try FileManager.default.createDirectory(atPath: file.path + ".portsentry-tmp", withIntermediateDirectories: false)
        #expect(throws: NftError.self) { try file.write([]) }
        #expect(try file.read() == sample)
    }

    @Test(arguments: [
        "portsentry-bans 3\n",
        "something else\n",
        "portsentry-bans 2\n10.0.0.1\tnever\t0\t-\t-\t-\t-\n",
        "portsentry-bans 2\n10.0.0.1\tnever\t0\t-\t-\t-\t-\t0\t-\n",
        "portsentry-bans 2\n10.0.0.1\tnever\t0\t-\t-\t-\t-\t1\tlong\n",
        "portsentry-bans 1\nlocalhost\tnever\t0\t-\t-\t-\t-\n",
        "portsentry-bans 1\n10.0.0.1\tsoon\t0\t-\t-\t-\t-\n",
        "portsentry-bans 1\n10.0.0.1\tnever\t0\t5\tTCP\tx\tx\n",
        "portsentry-bans 1\n10.0.0.1\tnever\n",
    ])
    func malformedFilesAreClearErrors(_ content: String) throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/bans.state"
        try content.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: NftError.self) { try BanStateFile(path: path).read() }
    }

    @Test func aFileOfManyTasksReadsInOrderAndNamesItsFirstMalformedLine() throws {
        let lines = (0..<20_000).map { i in "10.\(i >> 16).\((i >> 8) & 255).\(i & 255)\t\(1_900_000_000_000 + i)\t0\t1800000000000\tTCP\t23\tTCP SYN/Normal scan\t1\t-" }
        #expect(lines.joined(separator: "\n").utf8.count > 2 * BanStateFile.bytesPerTask)   // three tasks at least
        var text = "portsentry-bans 2\n" + lines.joined(separator: "\n") + "\n\n"
        let bans = try BanStateFile.bans(in: Array(text.utf8))
        #expect(bans.count == 20_000 && bans.map(\.expiresAt) == (0..<20_000).map { 1_900_000_000_000 + Int64($0) })
        var broken = lines
        broken[15_000] = "10.0.0.1\tsoon\t0\t-\t-\t-\t-\t1\t-"
        broken[17_000] = "nonsense"
        text = "portsentry-bans 2\n" + broken.joined(separator: "\n")
        #expect(throws: BanStateFile.FormatError.self) { try BanStateFile.bans(in: Array(text.utf8)) }
        do { _ = try BanStateFile.bans(in: Array(text.utf8)) } catch { #expect(error.reason == "line 15002 is malformed") }
    }

    @Test(arguments: ["0", "7", "+7", "-0", "-7", "+", "-", "", "007", "9223372036854775807", "9223372036854775808",
                      "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
                      "65535", "65536", "1e3", " 1", "1 ", "0x10", "١٢"])
    func decimalFieldsReadAsSwiftReadsIntegers(_ text: String) {
        let field = Array(text.utf8)
        field.withUnsafeBufferPointer { bytes in
            #expect(DecimalField(bytes)?.int64 == Int64(text))
            #expect(DecimalField(bytes)?.int == Int(text))
            #expect(DecimalField(bytes)?.uint64 == UInt64(text))
            #expect(DecimalField(bytes)?.uint16 == UInt16(text))
        }
    }
}
