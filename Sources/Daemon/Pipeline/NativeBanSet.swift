import PortsentryCore

/// What the pipeline needs from the nftables backend. Called only from the pipeline thread,
/// so implementations may wait for their actor (`awaitBlocking`).
protocol NativeBanSet: Sendable {
    /// Whether the kernel holds a live ban for `address`.
    func isBanned(_ address: IPAddress) -> Bool
    /// Bans every request in one transaction; returns the failures' messages by address.
    func ban(_ requests: [BanRequest]) -> [IPAddress: String]
    /// Counts an event from a source that is already banned.
    func recordHit(_ address: IPAddress)
}

/// One ban the engine asks for, with what triggered it.
struct BanRequest: Sendable, Hashable {
    var event: ProbeEvent
}
