// swift-tools-version: 6.1
// libFuzzer targets for predictord's wire decoders and configuration loader. Not part of the main build or CI:
// built and run by .ci/fuzz with `-sanitize=fuzzer,address` (see docs/reliability.md). Each target's main hands
// its callback to libFuzzer's LLVMFuzzerRunDriver (SwiftPM links the target's own main as `main`).
import PackageDescription

let package = Package(
    name: "predictord-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "predictord", path: "../..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "FuzzWire",
            dependencies: ["CFuzzerDriver", .product(name: "PredictordFuzzChecks", package: "predictord")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: ["CFuzzerDriver", .product(name: "PredictordFuzzChecks", package: "predictord")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
