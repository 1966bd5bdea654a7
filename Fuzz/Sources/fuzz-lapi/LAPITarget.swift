import Foundation
@testable import Fleet
import PortsentryCore

/// Whatever a LAPI answers: a decision stream (read into what this host would apply), a login
/// answer, an error body. The ledger holds one pushed ban so that the self-echo path is reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLAPI(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    if let answer = StreamAnswer.parse(body) {
        _ = DecisionIntake(answer, ourOrigin: "portsentry", origins: [], ledger: ledger, now: 0)
        _ = DecisionIntake(answer, ourOrigin: "portsentry", origins: ["crowdsec", "lists"], ledger: ledger, now: 0)
    }
    _ = LoginAnswer.parse(body)
    _ = ErrorAnswer.message(in: body)
    return 0
}

private let ledger: PushLedger = {
    let ledger = PushLedger()
    ledger.record(IPAddress("192.0.2.1")!, expiresAt: 3_600_000)
    return ledger
}()
