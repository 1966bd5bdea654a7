// swift-tools-version:6.1
// libFuzzer targets for portsentry's parsers (docs/fuzzing.md). Not part of the main build:
// scripts/fuzz.sh builds this package with -sanitize=fuzzer,address and -enable-testing.
//
// Every folder of Sources/ is one target: Sources/fuzz-NAME/ holds one file with the
// `LLVMFuzzerTestOneInput` entry, and Tests/corpus/NAME/ holds its seeds.
import Foundation
import PackageDescription

let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources")
let names = ((try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? [])
    .filter { $0.hasPrefix("fuzz-") }.sorted()

let package = Package(
    name: "portsentry-fuzz",
    dependencies: [.package(name: "portsentry", path: "..")],
    targets: names.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "PortsentryParsers", package: "portsentry")],
            // No main: libFuzzer's main calls the entry.
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        )
    }
)
