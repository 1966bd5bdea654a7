// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "CoreMetrics", package: "swift-metrics")

let package = Package(
    name: "portsentry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "portsentry", targets: ["portsentry"]),
        .executable(name: "portsentry-ctl", targets: ["portsentry-ctl"]),
        // The modules whose parsers Fuzz/ drives (docs/fuzzing.md); declaring it builds nothing more.
        .library(name: "PortsentryParsers", targets: ["PortsentryCore", "Firewall", "Control", "Fleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The Prometheus endpoint (docs/metrics.md): the metrics API, its exposition, an HTTP/1 server.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CNftables", pkgConfig: "libnftables", providers: [.apt(["libnftables-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Linux headers missing from Swift's Glibc module (epoll, eventfd, accept4, setns, netlink, AF_PACKET).
        .systemLibrary(name: "CLinux"),

        // Pure Swift: config, addresses, decode, detect, decide, log formats.
        .target(name: "PortsentryCore", dependencies: ["CLinux"], swiftSettings: strict, plugins: ["GitHash"]),
        // capture: connect sockets, libpcap, AF_PACKET.
        .target(name: "Capture", dependencies: ["PortsentryCore", "CPcap", "CLinux", logging, metrics], swiftSettings: strict),
        // enforce: the ban contract, the ban service and its backends (nftables, legacy commands, dry run).
        .target(name: "Firewall", dependencies: ["PortsentryCore", "CNftables", "CLinux", logging], swiftSettings: strict),
        // control socket protocol, server and client; the ban commands over the ban service.
        .target(name: "Control", dependencies: ["PortsentryCore", "Firewall", "CLinux", logging], swiftSettings: strict),
        // fleet bans through CrowdSec's Local API: push our bans (watcher), pull the fleet's (bouncer).
        .target(name: "Fleet", dependencies: ["PortsentryCore", "Firewall", "Control", "CCurl", logging], swiftSettings: strict),
        // the daemon's runtime: pipeline, output sinks, metrics endpoint, signals.
        .target(
            name: "Daemon",
            dependencies: [
                "PortsentryCore", "Capture", "Firewall", "Control", "Fleet",
                logging,
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "portsentry",
            dependencies: ["Daemon", "PortsentryCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "portsentry-ctl",
            dependencies: [
                "PortsentryCore", "Capture", "Control", "Firewall",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Generates buildGitHash (the short git commit) for PortsentryVersion.
        .plugin(name: "GitHash", capability: .buildTool()),
        // Benchmarks (not tests): figures go to docs/performance.md.
        .executableTarget(name: "bench-capture", dependencies: ["PortsentryCore", "Capture", "TestSupport"], path: "Benchmarks/bench-capture", swiftSettings: strict),
        .executableTarget(name: "bench-nft", dependencies: ["PortsentryCore", "Firewall"], path: "Benchmarks/bench-nft", swiftSettings: strict),

        .testTarget(name: "PortsentryCoreTests", dependencies: ["PortsentryCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "TestSupport"], swiftSettings: strict),
        // Test kit: temp files, a shared `eventually`, an in-memory log, a fake ban backend, ProbeFrame (test packets; the capture benchmark sends them too).
        .target(name: "TestSupport", dependencies: ["PortsentryCore", "Firewall", logging], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "FirewallTests", dependencies: ["Firewall", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ControlTests", dependencies: ["Control", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "TestSupport", metrics, .product(name: "MetricsTestKit", package: "swift-metrics"),
                                                  .product(name: "Prometheus", package: "swift-prometheus")], swiftSettings: strict),
        .testTarget(name: "FleetTests", dependencies: ["Fleet", "TestSupport"], swiftSettings: strict),
        // portsentry-ctl's text: the activity view of stats and top.
        .testTarget(name: "CtlTests", dependencies: ["portsentry-ctl", "Control"], swiftSettings: strict),
    ]
)
