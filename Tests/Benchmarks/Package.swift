// swift-tools-version: 6.1
// Micro-benchmarks of predictord's numeric core with ordo-one's package-benchmark, and their checked-in
// thresholds (Thresholds/). Not part of the main build or `swift test`: the benchmark package and its plugin stay
// out of the daemon's dependency graph. Run from this directory (docs/performance.md, "Micro-benchmarks"):
//   swift package benchmark                        # run and print
//   swift package benchmark thresholds check       # compare with Thresholds/ (exit non-zero on a regression)
//   swift package --allow-writing-to-package-directory benchmark thresholds update   # re-record them
import PackageDescription

let package = Package(
    name: "predictord-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "predictord", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PredictorCore", package: "predictord"),
                .product(name: "PredictordTestSupport", package: "predictord"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
