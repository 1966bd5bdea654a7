import Control
import Firewall
import Testing
@testable import portsentry_ctl

/// The text of `stats` and `top`: sparkline scaling, and every line fitting the screen.
@Suite struct ActivityViewTests {
    static func report(sources: Int = 3, approximate: Bool = false) -> ActivityReport {
        ActivityReport(
            at: 1_700_000_000,
            probesPerMinute: (0..<60).map { $0 == 59 ? 80 : $0 % 10 }, bansPerMinute: (0..<60).map { $0 == 30 ? 4 : 0 },
            topMinutes: 10,
            topSources: (0..<sources).map { .init(address: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:\($0)", probes: 1000 - $0) },
            topPorts: [.init(proto: "TCP", port: 23, probes: 700), .init(proto: "UDP", port: 161, probes: 5)],
            approximate: approximate, liveBans: BansByOrigin(probe: 8, kernel: 1, manual: 2, fleet: 0, restore: 1),
            dropped: DroppedTraffic([.inet: DropCount(packets: 1234, bytes: 58_060)]))
    }

    @Test func sparklineScalesToTheLargestValue() {
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7, 8]) == " ▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([1, 1000]) == "▁█")     // a small non-zero value still shows
        #expect(Sparkline.render([500, 1000, 0]) == "▄█ ")
        #expect(Sparkline.render([0, 0]) == "  ")          // nothing happened: blank, not a floor
        #expect(Sparkline.render([]) == "")
        #expect(Sparkline.render([7]) == "█")
        #expect(Sparkline.render([0, 1, 4, 8], levels: Sparkline.ascii) == " .-#")
    }

    @Test func withoutUTF8TheViewIsASCII() {
        let lines = ActivityView(report: Self.report(sources: 10), width: 80, rows: 24, title: "t", unicode: false).lines()
        #expect(lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
        #expect(lines[2].last == "#")
    }

    @Test func theSummaryShowsRatesBansByOriginAndEveryTopEntry() {
        let lines = ActivityView(report: Self.report(sources: 10), width: 80, rows: nil, title: "t").lines()
        #expect(lines[1] == "probes: 341 in the last hour, 80 this minute, peak 80/min")
        #expect(lines[2].count == 60)
        #expect(lines[2].last == "█")
        #expect(lines[3] == "bans:   4 in the last hour, 0 this minute, peak 4/min")
        #expect(lines[4] == String(repeating: " ", count: 30) + "█" + String(repeating: " ", count: 29))
        #expect(lines[5] == "60 min ago" + String(repeating: " ", count: 47) + "now")
        #expect(lines[6] == "live bans: 12 (probe 8, kernel 1, manual 2, fleet 0, restore 1)")
        #expect(lines[7] == "dropped:   IPv4 1234 packets (56.7 KiB), IPv6 0 packets (0 B)")
        #expect(lines.contains("2001:db8:aaaa:bbbb:cccc:dddd:eeee:0    1000"))
        #expect(lines.contains("2001:db8:aaaa:bbbb:cccc:dddd:eeee:9     991"))
        #expect(lines.contains("TCP/23" + String(repeating: " ", count: 16) + "700"))
        #expect(lines.allSatisfy { $0.count <= 80 })
    }

    @Test(arguments: [(120, 30), (80, 24), (40, 12), (20, 8), (12, 4), (1, 1)])
    func everyLineFitsTheScreen(columns: Int, rows: Int) {
        let lines = ActivityView(report: Self.report(sources: 10, approximate: true), width: columns, rows: rows, title: "portsentry top").lines()
        #expect(lines.count <= rows)
        #expect(lines.allSatisfy { $0.count <= columns })
    }

    @Test func aNarrowScreenShowsTheMostRecentMinutes() {
        let lines = ActivityView(report: Self.report(), width: 30, rows: 24, title: "t").lines()
        #expect(lines[2] == Sparkline.render(Array(Self.report().probesPerMinute.suffix(30))))
        #expect(lines[2].last == "█")
        #expect(lines[5] == "30 min ago" + String(repeating: " ", count: 17) + "now")
    }

    @Test func aWideScreenSetsTheListsSideBySideAndCutsThemToFit() {
        let lines = ActivityView(report: Self.report(sources: 10), width: 120, rows: 15, title: "t").lines()
        #expect(lines.count == 15)
        let header = lines[9]
        #expect(header.hasPrefix("TOP SOURCES, 10 MIN"))
        #expect(header.contains("TOP PORTS, 10 MIN"))
        #expect(lines[10].hasSuffix("TCP/23" + String(repeating: " ", count: 16) + "700"))
        #expect(lines.last?.hasPrefix("2001:db8:aaaa:bbbb:cccc:dddd:eeee:4") == true)   // 5 of 10 fit
    }

    @Test func aNarrowScreenStacksTheLists() {
        let lines = ActivityView(report: Self.report(sources: 10), width: 50, rows: 21, title: "t").lines()
        #expect(lines.count == 21)
        // The ports' three lines at the bottom, the sources in the rest: a header and 8 of 10.
        #expect(lines[9].hasPrefix("TOP SOURCES"))
        #expect(lines[17].hasPrefix("2001:db8:aaaa:bbbb:cccc:dddd:eeee:7"))
        #expect(lines[18].hasPrefix("TOP PORTS"))
        #expect(lines[20].hasPrefix("UDP/161"))
    }

    @Test func bytesAreShownInBinaryUnitsAndABackendWithoutCountersIsSaid() {
        #expect(ActivityView.bytes(0) == "0 B")
        #expect(ActivityView.bytes(1023) == "1023 B")
        #expect(ActivityView.bytes(1024) == "1.0 KiB")
        #expect(ActivityView.bytes(1_048_575) == "1.0 MiB")     // 1023.999 KiB rounds up to the next unit
        #expect(ActivityView.bytes(3 << 30) == "3.0 GiB")
        #expect(ActivityView.bytes(.max) == "16.0 EiB")
        #expect(ActivityView.dropped(nil) == "not counted by this backend")
    }

    @Test func approximateCountsAreSaidSo() {
        let lines = ActivityView(report: Self.report(approximate: true), width: 200, rows: nil, title: "t").lines()
        #expect(lines.last?.hasPrefix("counts are lower bounds") == true)
    }
}
