extension BanOrigin {
    /// The origin in one word: `probe`, `kernel` (the packet-path rule banned on the probe,
    /// KERNEL_BAN), `manual` or `fleet`.
    public var kind: String {
        switch self {
        case .probe(let evidence): evidence.byKernel ? "kernel" : "probe"
        case .manual: "manual"
        case .fleet: "fleet"
        }
    }
}
