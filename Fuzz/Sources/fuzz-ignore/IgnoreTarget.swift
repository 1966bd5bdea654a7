import PortsentryCore

/// An ignore file (IGNORE_FILE, PROTECT_FILE); every network it lists must then match its own
/// network address.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIgnore(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let (list, _) = try? IgnoreList.parse(text, path: "fuzz.ignore") else { return 0 }
    for entry in list.entries {
        precondition(list.contains(entry.network), "\(entry) is listed but not matched")
    }
    return 0
}
