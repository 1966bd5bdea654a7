import PortsentryCore
import Testing
@testable import Firewall

@Suite struct NftBookTests {
    @Test func expiredBansComeOutInOrderAndRefreshesAreKept() {
        var book = BanBook()
        book.put(Ban(address: ip("10.0.0.1"), expiresAt: 300))
        book.put(Ban(address: ip("10.0.0.2"), expiresAt: 100))
        book.put(Ban(address: ip("::1"), expiresAt: nil))
        book.put(Ban(address: ip("10.0.0.2"), expiresAt: 500))   // refreshed
        #expect(book.count(.inet) == 2 && book.count(.inet6) == 1)
        #expect(book.removeExpired(at: 200).isEmpty)
        #expect(book.removeExpired(at: 400).map(\.address) == [ip("10.0.0.1")])
        #expect(book.isBanned(ip("10.0.0.2"), at: 400))
        #expect(!book.isBanned(ip("10.0.0.2"), at: 500))
        #expect(book.removeExpired(at: 1000).map(\.address) == [ip("10.0.0.2")])
        #expect(book.isBanned(ip("::1"), at: .max))
        #expect(book.count(.inet) == 0)
    }

    @Test func evictionTakesTheClosestToExpiryOfOneFamilyPermanentLastAndSparesWhatItIsTold() {
        var book = BanBook()
        book.put(Ban(address: ip("10.0.0.1"), expiresAt: nil))
        book.put(Ban(address: ip("10.0.0.2"), expiresAt: 300))
        book.put(Ban(address: ip("10.0.0.3"), expiresAt: 100))
        book.put(Ban(address: ip("fd00::1"), expiresAt: 50))
        book.put(Ban(address: ip("10.0.0.4"), expiresAt: nil))
        book.put(Ban(address: ip("10.0.0.3"), expiresAt: 400))   // refreshed: its old place is stale
        #expect(book.evict(1, of: .inet, sparing: [CIDR(host: ip("10.0.0.2"))]).map(\.address) == [ip("10.0.0.3")])
        #expect(book.evict(2, of: .inet, sparing: []).map(\.address) == [ip("10.0.0.2"), ip("10.0.0.1")])
        #expect(book.evict(5, of: .inet, sparing: []).map(\.address) == [ip("10.0.0.4")])
        #expect(book.count(.inet) == 0 && book.count(.inet6) == 1)
        #expect(book.evict(1, of: .inet6, sparing: [CIDR(host: ip("fd00::1"))]).isEmpty)
        #expect(book.removeExpired(at: 60).map(\.address) == [ip("fd00::1")])   // the spared entry is still in the order
    }

    @Test func manyRefreshesKeepTheOrderRight() {
        var book = BanBook()
        for round in 0..<3 {
            for i in 0..<2000 { book.put(Ban(address: .v4(UInt32(i)), expiresAt: Int64(round * 10_000 + 5000 - i))) }
        }
        // The latest expiries decide: 1999 expires first.
        #expect(book.evict(3, of: .inet, sparing: []).map(\.address) == [.v4(1999), .v4(1998), .v4(1997)])
        #expect(book.count(.inet) == 1997)
    }
}
