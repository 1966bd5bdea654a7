import Glibc
import Testing
@testable import Daemon

/// Lines carry their priority only when the stream really is the journal JOURNAL_STREAM names.
@Suite struct JournalStreamTests {
    @Test func matchesOnlyTheStreamTheVariableNames() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var st = stat()
        try #require(fstat(fds[1], &st) == 0)
        let named = "\(st.st_dev):\(st.st_ino)"
        #expect(JournalStream.isJournal(fds[1], variable: named))
        #expect(!JournalStream.isJournal(fds[1], variable: "\(st.st_dev):\(st.st_ino + 1)"))
        #expect(!JournalStream.isJournal(fds[1], variable: nil))
        #expect(!JournalStream.isJournal(fds[1], variable: "garbage"))
        #expect(!JournalStream.isJournal(-1, variable: named))
    }

    @Test func prefixesAreTheSyslogPriorities() {
        #expect(JournalStream.prefix(LineLogHandler.priority(.error)) == "<3>")
        #expect(JournalStream.prefix(LineLogHandler.priority(.warning)) == "<4>")
        #expect(JournalStream.prefix(LineLogHandler.priority(.notice)) == "<5>")
        #expect(JournalStream.prefix(LineLogHandler.priority(.info)) == "<6>")
        #expect(JournalStream.prefix(LineLogHandler.priority(.debug)) == "<7>")
    }
}
