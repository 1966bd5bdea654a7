@testable import Fleet
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("3600s", 3600.0), ("3h59m58.5s", 14398.5), ("-17h44m25s", -63865.0), ("1.5µs", 1.5e-6), ("2us", 2e-6),
        ("250ms", 0.25), ("0", 0.0), ("+1m", 60.0), ("10ns", 1e-8),
    ])
    func readsGoDurations(text: String, seconds: Double) {
        let parsed = GoDuration.seconds(text)
        #expect(parsed.map { abs($0 - seconds) < 1e-9 } == true, "\(text) -> \(String(describing: parsed))")
    }

    @Test(arguments: ["", "1d", "h", "1..5s", "5", "-", "1s2", "abc", "1 s", ".s", String(repeating: "9", count: 80) + "s"])
    func rejectsOtherText(text: String) {
        #expect(GoDuration.seconds(text) == nil)
    }
}
