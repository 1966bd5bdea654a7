import PortsentryCore

/// One captured frame: the first byte picks the link type (its value modulo 5: Ethernet, raw IP,
/// Linux cooked v1, v2, BSD loopback), the rest is the frame as libpcap hands it over. The frame
/// ends where libFuzzer's buffer does, so AddressSanitizer sees any read past it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let links: [LinkType] = [.ethernet, .rawIP, .linuxSLL, .linuxSLL2, .null]
    let frame = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    _ = PacketDecoder.decode(frame, link: links[Int(data[0]) % links.count])?.probeEvent(seenAt: 0)
    return 0
}
