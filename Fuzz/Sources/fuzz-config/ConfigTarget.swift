import PortsentryCore

/// A portsentry.conf, read as the daemon reads one (bytes decoded as UTF-8): inputs of even
/// length for the standard command line, of odd length for advanced mode (no port lists needed).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let watch = size % 2 == 0 ? PortWatch.standard : PortWatch(advanced: [.tcp, .udp])
    do {
        _ = try ConfigParser.parse(text, path: "fuzz.conf", watching: watch)
    } catch {
        _ = error.description
    }
    return 0
}
