import TestSupport
import Testing
@testable import PortsentryCore

/// SplitMix64: a tiny deterministic generator, so a failure reproduces from the seed.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@Suite struct DecodeFuzzTests {
    /// Valid frames of every link type and header shape, the seeds that get mutated.
    static let corpus: [([UInt8], LinkType)] = {
        let a4 = IPAddress("10.1.2.3")!, b4 = IPAddress("10.1.2.4")!
        let a6 = IPAddress("fd00::1")!, b6 = IPAddress("fd00::2")!
        var frames: [ProbeFrame] = [
            ProbeFrame(source: a4, destination: b4, transport: .tcp(port: 22, flags: .syn)),
            ProbeFrame(source: a4, destination: b4, transport: .udp(port: 53)),
            ProbeFrame(source: a6, destination: b6, transport: .tcp(port: 80, flags: [])),
            ProbeFrame(source: a6, destination: b6, transport: .udp(port: 123)),
        ]
        var opt = frames[0]; opt.ipv4OptionWords = 10; frames.append(opt)
        var ext = frames[2]
        ext.ipv6Extensions = [.options(type: 0, units: 1), .options(type: 43, units: 0), .fragment(offset: 0),
                              .authentication(lengthField: 2), .options(type: 60, units: 0)]
        frames.append(ext)
        let links: [LinkType] = [.ethernet, .rawIP, .linuxSLL, .linuxSLL2, .null]
        return frames.flatMap { f in links.map { (f.bytes(link: $0), $0) } }
    }()

    /// A million random or mutated inputs: none may trap. The decoder's reads go through
    /// `UnsafeRawBufferPointer` subscripts, which check bounds in the debug builds tests run in,
    /// and every input buffer is exactly as long as the bytes "captured", so any read past the
    /// end stops the test process.
    @Test func survivesAMillionMutatedPackets() {
        var rng = SplitMix64(state: 0x5eed_2026)
        let links: [LinkType] = [.ethernet, .rawIP, .linuxSLL, .linuxSLL2, .null]
        var scratch = [UInt8](repeating: 0, count: 256)
        var decoded = 0, mutatedDecoded = 0
        for i in 0..<1_000_000 {
            let (seed, seedLink) = Self.corpus[Int(rng.next() % UInt64(Self.corpus.count))]
            var count: Int
            var link = seedLink
            if i % 8 == 0 {   // pure noise
                count = Int(rng.next() % 256)
                for j in 0..<count { scratch[j] = UInt8(truncatingIfNeeded: rng.next()) }
                link = links[Int(rng.next() % 5)]
            } else {          // a valid frame with a few bytes flipped, maybe cut short
                count = seed.count
                for j in 0..<count { scratch[j] = seed[j] }
                let flips = Int(rng.next() % 4)
                for _ in 0..<flips {
                    scratch[Int(rng.next() % UInt64(count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if rng.next() % 4 == 0 { count = Int(rng.next() % UInt64(count + 1)) }
            }
            let result = scratch.withUnsafeBytes {
                PacketDecoder.decode(UnsafeRawBufferPointer(rebasing: $0[0..<count]), link: link)
            }
            if let p = result {
                decoded += 1
                if i % 8 != 0 { mutatedDecoded += 1 }
                // Whatever decodes must be a TCP or UDP packet between two addresses of one family.
                #expect(p.source.family == p.destination.family)
            }
        }
        // Most mutations keep a decodable packet; noise almost never does.
        #expect(mutatedDecoded > 300_000)
        #expect(decoded < 1_000_000)
    }
}
