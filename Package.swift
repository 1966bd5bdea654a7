// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "portsentry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "portsentry", targets: ["portsentry"]),
        .executable(name: "portsentry-ctl", targets: ["portsentry-ctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CNftables", pkgConfig: "libnftables", providers: [.apt(["libnftables-dev"])]),

        // Pure Swift: config, addresses, decode, detect, decide, log formats.
        .target(name: "PortsentryCore", swiftSettings: strict),
        // capture: connect sockets, libpcap, AF_PACKET.
        .target(name: "Capture", dependencies: ["PortsentryCore", "CPcap"], swiftSettings: strict),
        // enforce: nftables (libnftables) and legacy shell commands.
        .target(name: "Firewall", dependencies: ["PortsentryCore", "CNftables"], swiftSettings: strict),
        // control socket protocol, server and client.
        .target(name: "Control", dependencies: ["PortsentryCore"], swiftSettings: strict),
        // the daemon's runtime: pipeline, output sinks, signals.
        .target(
            name: "Daemon",
            dependencies: [
                "PortsentryCore", "Capture", "Firewall", "Control",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "portsentry",
            dependencies: ["Daemon", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "portsentry-ctl",
            dependencies: [
                "PortsentryCore", "Control", "Firewall",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "PortsentryCoreTests", dependencies: ["PortsentryCore"], swiftSettings: strict),
    ]
)
