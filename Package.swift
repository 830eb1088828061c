// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "predictord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "predictord", targets: ["predictord"]),
        .library(name: "PredictorCore", targets: ["PredictorCore"]),
        .library(name: "PredictorWire", targets: ["PredictorWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Pure numeric core: predictors, their fast/slow memory and exact state coding. No I/O.
        .target(
            name: "PredictorCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strict
        ),
        // Pure codecs for the wire protocol (JSON and binary v1). No sockets.
        .target(name: "PredictorWire", dependencies: ["PredictorCore"], swiftSettings: strict),
        // Stream routing and per-context processing shared by `replay` and the daemon. No sockets.
        .target(name: "PredictorEngine", dependencies: ["PredictorCore", "PredictorWire"], swiftSettings: strict),
        // Daemon configuration: YAML file, PREDICTORD_* environment and --set overrides, validated with key paths.
        .target(
            name: "PredictordConfig",
            dependencies: [
                "PredictorCore", "PredictorEngine",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "predictord",
            dependencies: [
                "PredictorCore", "PredictorWire", "PredictorEngine", "PredictordConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // libzmq 4.3 (Debian libzmq3-dev) and libsystemd (libsystemd-dev), found with pkg-config.
        .systemLibrary(name: "CZMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // Thin Swift wrapper over libzmq: context, sockets, multipart messages, poll.
        .target(name: "ZeroMQ", dependencies: ["CZMQ"], swiftSettings: strict),
        // Thin Swift wrapper over libsystemd: journal entries and sd_notify.
        .target(name: "Systemd", dependencies: ["CSystemd"], swiftSettings: strict),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: strict),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd"], swiftSettings: strict),
        .testTarget(name: "PredictorCoreTests", dependencies: ["PredictorCore"], swiftSettings: strict),
        .testTarget(name: "PredictordConfigTests", dependencies: ["PredictordConfig"], swiftSettings: strict),
        .testTarget(name: "PredictorWireTests", dependencies: ["PredictorWire"], swiftSettings: strict),
        .testTarget(
            name: "PredictorEngineTests",
            dependencies: ["PredictorEngine", "predictord"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
    ]
)
