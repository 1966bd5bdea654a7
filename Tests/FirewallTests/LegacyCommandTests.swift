import Glibc
import Testing
import TestSupport
@testable import Firewall

@Suite struct ShellCommandTests {
    @Test func reportsExitStatusAndSignals() {
        #expect(ShellCommand.run("true") == .exited(0))
        #expect(ShellCommand.run("exit 3") == .exited(3))
        #expect(ShellCommand.run("kill -9 $$") == .signaled(9))
        #expect(ShellCommand.run("/nonexistent/command") == .exited(127))
        #expect(!ShellCommand.run("exit 1").succeeded)
    }

    @Test func aHungCommandIsKilledWithWhatItStarted() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        #expect(ShellCommand.run("sleep 60 & echo $! > \(dir)/child; wait", timeout: 1) == .timedOut(seconds: 1))
        let child = try #require(readText("\(dir)/child").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        // The background sleep was in the command's process group: it is gone (or a zombie
        // waiting for init) soon after, instead of sleeping on for a minute.
        var gone = false
        for _ in 0..<100 where !gone {
            let stat = readText("/proc/\(child)/stat") ?? ""
            gone = stat.isEmpty || stat.split(separator: " ").dropFirst(2).first == "Z"
            if !gone { usleep(50_000) }
        }
        #expect(gone)
    }

    @Test func runsTheWholeCommandWithQuotesAndRedirections() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let cmd = "/bin/echo route 192.0.2.7 && echo \"192.0.2.7:31337\" >> \(dir)/block.log"
        #expect(ShellCommand.run(cmd) == .exited(0))
        #expect(readText("\(dir)/block.log") == "192.0.2.7:31337\n")
    }
}

@Suite struct HostsDenyFileTests {
    @Test func appendsOnceAndKeepsModeAndExistingLines() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = "\(dir)/hosts.deny"
        writeText(path, "# existing\nALL: 10.0.0.1")   // no final newline
        chmod(path, 0o640)
        let file = HostsDenyFile(path: path)
        #expect(try file.append("ALL: 192.0.2.7 : DENY") == true)
        #expect(try file.append("ALL: 192.0.2.7 : DENY") == false)
        #expect(readText(path) == "# existing\nALL: 10.0.0.1\nALL: 192.0.2.7 : DENY\n")
        var st = stat()
        stat(path, &st)
        #expect(st.st_mode & 0o777 == 0o640)
    }

    @Test func createsAMissingFileAndReportsAnUnwritableDirectory() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        #expect(try HostsDenyFile(path: "\(dir)/hosts.deny").append("ALL: 192.0.2.7") == true)
        #expect(readText("\(dir)/hosts.deny") == "ALL: 192.0.2.7\n")
        #expect(throws: HostsDenyFile.Failure.self) { try HostsDenyFile(path: "\(dir)/missing/hosts.deny").append("x") }
    }
}
