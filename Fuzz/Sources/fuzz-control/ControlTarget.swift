import Control

/// One control request line as the daemon reads it from a client; a request it accepts must
/// read back unchanged from the line the client library writes for it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let request = try? ControlRequest(line: UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    let again = try? ControlRequest(line: request.encodedLine().dropLast())
    precondition(again == request, "\(request) reads back as \(String(describing: again))")
    return 0
}
