// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "predictord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "predictord", targets: ["predictord"]),
        // Development tooling, not installed: `core`, `e2e`, `relay`, `soak` (docs/performance.md, docs/reliability.md).
        .executable(name: "predictord-bench", targets: ["predictord-bench"]),
        .library(name: "PredictorCore", targets: ["PredictorCore"]),
        .library(name: "PredictorWire", targets: ["PredictorWire"]),
        // For the libFuzzer package in Tests/Fuzz (not built by CI): the properties its targets check.
        .library(name: "PredictordFuzzChecks", targets: ["PredictordFuzzChecks"]),
        // For the package-benchmark package in Tests/Benchmarks (not built by CI): the shared seeded SplitMix64.
        .library(name: "PredictordTestSupport", targets: ["PredictordTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
        .target(
            name: "PredictorEngine",
            dependencies: ["PredictorCore", "PredictorWire", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strict
        ),
        // Daemon configuration: YAML file, PREDICTORD_* environment and --set overrides, validated with key paths;
        // CURVE key files (ZeroMQ decodes their Z85 keys).
        .target(
            name: "PredictordConfig",
            dependencies: [
                "PredictorCore", "PredictorEngine", "ZeroMQ",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // swift-log handler for journald (sd_journal_sendv) with stderr fallback (text or JSON lines) and rate limiting.
        .target(
            name: "PredictordLogging",
            dependencies: ["Systemd", "PredictorWire", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The periodic stats entry (journal fields with a fixed MESSAGE_ID, the STATUS= line) from engine counters.
        .target(
            name: "PredictordStats",
            dependencies: ["Systemd", "PredictorEngine", "PredictorWire", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Checkpoints of slow and fast memory: versioned, checksummed, written atomically, restored exactly.
        .target(name: "PredictordState", dependencies: ["PredictorCore", "PredictorEngine"], swiftSettings: strict),
        // The daemon: ZeroMQ poll loop around the engine, sd_notify, checkpoints, reload, lifecycle.
        .target(
            name: "PredictordService",
            dependencies: [
                "PredictorCore", "PredictorWire", "PredictorEngine", "PredictordConfig", "PredictordLogging", "PredictordStats",
                "PredictordState", "PredictordTelemetry", "ZeroMQ", "Systemd", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // What the poll thread shares with the HTTP side: snapshots, watched streams' points, stream questions.
        .target(name: "PredictordTelemetry", dependencies: ["PredictorEngine", "PredictorWire"], swiftSettings: strict),
        // The optional HTTP endpoint (Hummingbird, off the poll thread): /metrics through swift-metrics with the
        // swift-prometheus backend, the live page with server-sent events, /streams/<id>; fed by snapshots only.
        .target(
            name: "PredictordHTTP",
            dependencies: [
                "PredictordConfig", "PredictorEngine", "PredictorWire", "PredictordTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "predictord",
            dependencies: [
                "PredictorCore", "PredictorWire", "PredictorEngine", "PredictordConfig", "PredictordService", "PredictordState",
                "PredictordHTTP", "PredictordTelemetry", "ZeroMQ", "Systemd", "PredictordLogging", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Benchmarks and load tests (core, e2e, relay, soak); starts the `predictord` built next to it as the daemon.
        .executableTarget(
            name: "predictord-bench",
            dependencies: [
                "PredictorCore", "PredictorWire", "PredictorEngine", "PredictordConfig", "PredictordService", "PredictordState", "ZeroMQ",
                "PredictordTestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // libzmq 4.3 (Debian libzmq3-dev) and libsystemd (libsystemd-dev), found with pkg-config.
        .systemLibrary(name: "CZMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CMalloc"),
        // Thin Swift wrapper over libzmq: context, sockets, multipart messages, poll.
        .target(name: "ZeroMQ", dependencies: ["CZMQ"], swiftSettings: strict),
        // Thin Swift wrapper over libsystemd: journal entries and sd_notify.
        .target(name: "Systemd", dependencies: ["CSystemd"], swiftSettings: strict),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: strict),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd", "PredictordTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PredictorCoreTests", dependencies: ["PredictorCore", "PredictordTestSupport"], exclude: ["python"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PredictordLoggingTests", dependencies: ["PredictordLogging", "PredictordStats", "PredictorEngine", "Systemd", "PredictordTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "PredictordHTTPTests", dependencies: ["PredictordHTTP", "PredictordTelemetry", "PredictorEngine", "PredictordTestSupport"], swiftSettings: strict),
        .testTarget(name: "PredictordStatsTests", dependencies: ["PredictordStats", "PredictorEngine", "Systemd"], swiftSettings: strict),
        .testTarget(name: "PredictordStateTests", dependencies: ["PredictordState", "PredictorEngine", "PredictorWire", "PredictordTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PredictordServiceTests",
            dependencies: ["PredictordService", "PredictordConfig", "PredictorEngine", "PredictordState", "PredictorWire", "ZeroMQ", "PredictordTestSupport"],
            exclude: ["python"],
            swiftSettings: strict
        ),
        // Shared by the test targets (and the bench's inputs): the seeded SplitMix64, the built executables' locator
        // (tests run `predictord` and `predictord-bench` as processes instead of depending on the executable targets)
        // and the journald-in-a-namespace runner.
        .target(name: "PredictordTestSupport", path: "Tests/PredictordTestSupport", swiftSettings: strict),
        // Properties of decoded wire payloads and loaded configurations, shared by the fuzz targets (Tests/Fuzz)
        // and the unit tests that replay their seed corpus.
        .target(
            name: "PredictordFuzzChecks",
            dependencies: ["PredictorWire", "PredictorEngine", "PredictordConfig"],
            path: "Tests/Fuzz/Checks",
            swiftSettings: strict
        ),
        .testTarget(name: "PredictordConfigTests", dependencies: ["PredictordConfig", "PredictorEngine", "PredictordFuzzChecks", "ZeroMQ"], swiftSettings: strict),
        .testTarget(name: "PredictorWireTests", dependencies: ["PredictorWire", "PredictordFuzzChecks", "PredictordTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PredictorEngineTests",
            dependencies: ["PredictorEngine", "PredictordState", "PredictordTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
    ]
)
