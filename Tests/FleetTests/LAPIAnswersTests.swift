import Foundation
@testable import Fleet
import Testing
import TestSupport

/// The login and error answers, and the LAPI answers of Tests/corpus/lapi (the fuzzing seeds).
@Suite struct LAPIAnswersTests {
    @Test func loginAnswerGivesTokenAndExpiry() throws {
        let answer = try #require(LoginAnswer.parse(Data(#"{"code":200,"expire":"2026-01-01T13:00:00Z","token":"abc"}"#.utf8)))
        #expect(answer.token == "abc")
        #expect(answer.expires == Date(timeIntervalSince1970: 1_767_272_400))
        #expect(LoginAnswer.parse(Data(#"{"token":"abc","expire":"soon"}"#.utf8))?.expires == nil)
        #expect(LoginAnswer.parse(Data(#"{"token":""}"#.utf8)) == nil)
        #expect(LoginAnswer.parse(Data("<html>".utf8)) == nil)
    }

    @Test func errorMessageIsOneLine() {
        #expect(ErrorAnswer.message(in: Data(#"{"message":"validation failure list:\nmachine_id"}"#.utf8))
            == "validation failure list: machine_id")
        #expect(ErrorAnswer.message(in: Data("<html>".utf8)) == "")
    }

    @Test(arguments: Corpus.names("lapi", "json"))
    func seedIsRead(name: String) throws {
        let body = Data(try Corpus.bytes("\(Corpus.root)/lapi/\(name)"))
        if name.hasPrefix("stream") {
            #expect(StreamAnswer.parse(body) != nil)
        } else if name.hasPrefix("login") {
            #expect(LoginAnswer.parse(body) != nil)
        } else {
            #expect(!ErrorAnswer.message(in: body).isEmpty)
        }
    }
}
