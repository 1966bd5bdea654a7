import Testing
@testable import PortsentryCore

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"), ("::", "::"), ("::1", "::1"), ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("fe80::", "fe80::"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1::", "1::"),
        ("0:0:0:0:0:0:1.2.3.4", "::102:304"),
    ])
    func parsesAndPrintsCanonically(input: String, expected: String) throws {
        let a = try #require(IPAddress(input))
        #expect(a.description == expected)
        #expect(IPAddress(bytes: a.bytes) == a)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01234.1.1.1", "1.2.3.-4", ":::", "1:::2",
                      "1::2::3", ":1::", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1:2:3:4:5:6:7::8", " 1.2.3.4",
                      "1::2:", "1.2.3.4:", "::1.2.3", "localhost"])
    func rejectsMalformed(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func unmapsIPv4MappedAddresses() {
        #expect(IPAddress("::ffff:192.0.2.7")!.unmapped == IPAddress("192.0.2.7"))
        #expect(IPAddress("2001:db8::1")!.unmapped == IPAddress("2001:db8::1"))
    }
}

@Suite struct BlockedRecordTests {
    @Test func recordsAre6And18Bytes() {
        #expect(BlockedRecord.encode(IPAddress("192.0.2.9")!) == [2, 0, 192, 0, 2, 9])
        #expect(BlockedRecord.encode(IPAddress("2001:db8::1")!).count == 18)
        #expect(BlockedRecord.encode(IPAddress("2001:db8::1")!).prefix(2) == [10, 0])
    }

    @Test func decodesWhatItEncodesAndStopsAtDamage() {
        let a = [IPAddress("192.0.2.9")!, IPAddress("2001:db8::1")!, IPAddress("10.0.0.1")!]
        let bytes = a.flatMap(BlockedRecord.encode)
        #expect(BlockedRecord.decode(bytes).addresses == a)
        #expect(BlockedRecord.decode(bytes).damagedAt == nil)
        let cut = BlockedRecord.decode(Array(bytes.dropLast()))
        #expect(cut.addresses == Array(a.prefix(2)))
        #expect(cut.damagedAt == 24)
        #expect(BlockedRecord.decode([7, 0, 1, 2, 3, 4]).damagedAt == 0)
    }
}
