import ArgumentParser

/// Entry point of the development tooling that is not shipped with the daemon (systemd/install.sh does not
/// install it): the core micro-benchmark, the end-to-end benchmark, its relay and the soak test.
@main
struct PredictordBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predictord-bench",
        abstract: "Benchmarks and load tests of predictord (development tooling; not installed).",
        subcommands: [BenchCommand.self, BenchE2ECommand.self, RelayCommand.self, SoakCommand.self]
    )
}
