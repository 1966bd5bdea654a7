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

    @Test func aRestoredBookAnswersAsOneBuiltBanByBan() {
        let bans = (0..<3000).map { i in
            Ban(target: i % 3 == 0 ? CIDR(address: .v6(high: 0xfd00 << 48 | UInt64(i) << 16, low: 0), prefixLength: 64) : CIDR(host: .v4(UInt32(i))),
                expiresAt: i % 7 == 0 ? nil : Int64(10_000 - i % 500), hits: i)
        }
        var restored = BanBook(restoring: bans), built = BanBook()
        for ban in bans { built.put(ban) }
        #expect(restored.count(.inet) == built.count(.inet) && restored.count(.inet6) == built.count(.inet6))
        #expect(restored.count(PrefixLength(.inet6, 64)) == 1000 && restored.prefixLengths == built.prefixLengths)
        #expect(restored.covering(.v6(high: 0xfd00 << 48 | 3 << 16, low: 99))?.hits == 3)
        #expect(restored.removeExpired(at: 9_700).map(\.target) == built.removeExpired(at: 9_700).map(\.target))
        #expect(restored.evict(40, of: .inet, sparing: []).map(\.target) == built.evict(40, of: .inet, sparing: []).map(\.target))
        #expect(Set(restored.all) == Set(built.all))
    }

    @Test func aRestoredTargetThatComesTwiceKeepsItsLaterBan() {
        let book = BanBook(restoring: [Ban(address: ip("10.0.0.1"), expiresAt: 5), Ban(address: ip("10.0.0.2"), expiresAt: 6),
                                       Ban(address: ip("10.0.0.1"), expiresAt: 9)])
        #expect(book.count(.inet) == 2 && book.ban(CIDR(host: ip("10.0.0.1")))?.expiresAt == 9)
    }

    @Test func removingFillsTheGapAndKeepsEveryOtherBanFindable() {
        var book = BanBook()
        for i in 0..<10 { book.put(Ban(address: .v4(UInt32(i)), expiresAt: Int64(100 + i))) }
        #expect(book.remove(CIDR(host: .v4(3)))?.expiresAt == 103)
        #expect(book.remove(CIDR(host: .v4(9)))?.expiresAt == 109)   // the last one
        #expect(book.remove(CIDR(host: .v4(3))) == nil)
        #expect(book.all.count == 8 && book.count(.inet) == 8)
        for i in [0, 1, 2, 4, 5, 6, 7, 8] { #expect(book.ban(CIDR(host: .v4(UInt32(i))))?.expiresAt == Int64(100 + i)) }
        book.recordHit(.v4(8))
        #expect(book.ban(CIDR(host: .v4(8)))?.hits == 1)
    }
}
