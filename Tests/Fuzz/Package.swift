// swift-tools-version: 6.1
// libFuzzer targets for predictord's wire decoders and configuration loader. Not part of the main build or CI:
// built and run by .ci/fuzz with `-sanitize=fuzzer,address -parse-as-library` (see docs/reliability.md).
import PackageDescription

let package = Package(
    name: "predictord-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "predictord", path: "../..")],
    targets: [
        .executableTarget(
            name: "FuzzWire",
            dependencies: [.product(name: "PredictordFuzzChecks", package: "predictord")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: [.product(name: "PredictordFuzzChecks", package: "predictord")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
