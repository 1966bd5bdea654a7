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
}
