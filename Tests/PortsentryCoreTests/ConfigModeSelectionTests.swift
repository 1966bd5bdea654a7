import Testing
@testable import PortsentryCore

/// `--stealth`/`--connect` and the 1.x flags `-tcp -udp -stcp -sudp -atcp -audp` (docs/daemon.md "Command line").
@Suite struct ConfigModeSelectionTests {
    func resolve(_ explicit: [SentryMode], _ legacy: [LegacyModeFlag]) throws -> ModeSelection {
        try ModeSelection.resolve(explicit: explicit, legacy: legacy)
    }

    func message(_ explicit: [SentryMode], _ legacy: [LegacyModeFlag]) -> String? {
        do { _ = try ModeSelection.resolve(explicit: explicit, legacy: legacy); return nil } catch { return error.message }
    }

    @Test func defaultsToStealthOnBothProtocols() throws {
        #expect(try resolve([], []) == ModeSelection(mode: .stealth, watch: .standard))
        #expect(try resolve([.connect], []) == ModeSelection(mode: .connect, watch: .standard))
    }

    @Test(arguments: [
        ([LegacyModeFlag.tcp], SentryMode.connect, Set([TransportProtocol.tcp]), Set<TransportProtocol>()),
        ([.udp], .connect, [.udp], []),
        ([.stcp], .stealth, [.tcp], []),
        ([.sudp], .stealth, [.udp], []),
        ([.atcp], .stealth, [.tcp], [.tcp]),
        ([.audp], .stealth, [.udp], [.udp]),
        ([.tcp, .udp], .connect, [.tcp, .udp], []),
        ([.stcp, .audp], .stealth, [.tcp, .udp], [.udp]),
        ([.atcp, .audp], .stealth, [.tcp, .udp], [.tcp, .udp]),
    ] as [([LegacyModeFlag], SentryMode, Set<TransportProtocol>, Set<TransportProtocol>)])
    func mapsLegacyFlags(flags: [LegacyModeFlag], mode: SentryMode, protocols: Set<TransportProtocol>,
                         advanced: Set<TransportProtocol>) throws {
        #expect(try resolve([], flags) == ModeSelection(mode: mode, watch: PortWatch(protocols: protocols, advanced: advanced)))
        #expect(try resolve([mode], flags).mode == mode)
    }

    @Test func rejectsConflicts() {
        #expect(message([.stealth, .connect], []) == "--stealth and --connect cannot be used together; choose one")
        #expect(message([.connect, .connect], []) == "--connect was given more than once; give it once")
        #expect(message([], [.tcp, .stcp]) == "-tcp and -stcp both set the TCP mode; give only one of them")
        #expect(message([], [.udp, .udp]) == "-udp and -udp both set the UDP mode; give only one of them")
        #expect(message([], [.tcp, .sudp])
            == "-tcp watches in connect mode but -sudp in stealth mode; combine -tcp with -udp, or -stcp/-atcp with -sudp/-audp")
        #expect(message([.stealth], [.udp]) == "--stealth conflicts with -udp, which means connect mode; drop one of them")
    }
}
