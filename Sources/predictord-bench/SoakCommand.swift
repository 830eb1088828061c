import ArgumentParser
import Foundation
import PredictorEngine
import PredictordConfig
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// `predictord-bench soak`: a bounded load test of a real `predictord run` child over loopback (not part of CI): a fixed
/// rate over many streams, a SIGHUP reload and a SIGTERM + restart midway; fails unless every prediction equals the
/// engine's on exactly the observations the daemon accepted, none is lost, and RSS stays flat after warm-up.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Bounded soak test of a `predictord run` child: fixed rate, SIGHUP and SIGTERM/restart midway, exact checks.",
        discussion: """
        A publisher sends binary v1 observations of rls (lags 4) streams s/0000000… round robin at --rate for
        --seconds; at 30 % the daemon gets SIGHUP, at 50 % SIGTERM while the load runs, then it is restarted on the
        same state directory; then --kill-cycles times a kill -9 and restart (55–95 % of the run; with --journal write
        or fsync none may lose an observation). A checker recomputes every prediction with the engine (as `predictord replay` does)
        from the regenerated observation and compares the bytes; a daemon `n` ahead of the oracle's means an accepted
        observation's prediction was lost (except, across a kill, observations the journal kept whose predictions died
        with the daemon: the oracle absorbs those too and counts them). RSS is sampled every 0.25 s: after warm-up, the peak of each run's second
        half may exceed the first half's by at most --rss-growth-percent plus --rss-growth-mib.
        """
    )

    @Option(help: "Streams (contexts).")
    var streams: Int = 100_000

    @Option(help: "Observations per second.")
    var rate: Double = 20_000

    @Option(help: "Seconds of load (at most 600).")
    var seconds: Double = 300

    @Option(help: "Allowed RSS growth after warm-up, percent of the first half's peak.")
    var rssGrowthPercent: Double = 5

    @Option(help: "Allowed RSS growth after warm-up, MiB on top of the percentage.")
    var rssGrowthMib: Double = 16

    @Option(help: "Seconds after each (re)start before RSS is sampled (default: one round over the streams + 5 s).")
    var warmup: Double?

    @Option(help: ArgumentHelp("Signal of the midway stop: TERM, or KILL (with --journal off the checks then fail: the state since the last checkpoint is lost).",
                               visibility: .hidden))
    var restartSignal: String = "TERM"

    @Option(help: "state.journal of the daemon: off, write or fsync.")
    var journal: String = "write"

    @Option(help: "kill -9 + restart cycles under load between 55 % and 95 % of the run (after the SIGTERM restart); with the journal on, none may lose an observation.")
    var killCycles: Int = 0

    @Flag(help: "Keep the temporary directory (config, daemon logs, checkpoint).")
    var keepTemp = false

    @Option(help: ArgumentHelp("The predictord executable to soak (default: predictord next to this predictord-bench).", valueName: "PATH"))
    var daemon: String?

    func validate() throws {
        guard streams >= 1, streams <= 9_999_999 else { throw ValidationError("--streams must be 1…9999999") }
        guard rate > 0, seconds > 0, seconds <= 600 else { throw ValidationError("--rate must be > 0 and --seconds in (0, 600]") }
        guard ["TERM", "KILL"].contains(restartSignal) else { throw ValidationError("--restart-signal must be TERM or KILL") }
        guard ["off", "write", "fsync"].contains(journal) else { throw ValidationError("--journal must be off, write or fsync") }
        guard (0...100).contains(killCycles) else { throw ValidationError("--kill-cycles must be 0…100") }
    }

    func run() async throws {
        let daemonExecutable = try BenchExecutables.daemon(daemon)
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-soak-\(getpid())")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        var passed = false
        defer { if !keepTemp && passed { try? FileManager.default.removeItem(at: temp) } }
        let input = "tcp://127.0.0.1:\(try benchFreePort())", output = "tcp://127.0.0.1:\(try benchFreePort())"
        let config = temp.appendingPathComponent("soak.yaml")
        try soakConfig(input: input, output: output, state: temp.appendingPathComponent("state").path)
            .write(to: config, atomically: true, encoding: .utf8)
        let models = try await ConfigurationLoader.load(path: config.path, environment: [:]).models
        let report = try SoakRun(streams: streams, rate: rate, seconds: seconds, input: input, output: output,
                                 config: config, daemonExecutable: daemonExecutable, directory: temp, models: models,
                                 restartSignal: restartSignal == "KILL" ? SIGKILL : SIGTERM,
                                 warmup: warmup ?? Double(streams) / rate + 5, killCycles: killCycles).run()
        print(report.lines(growthPercent: rssGrowthPercent, growthMiB: rssGrowthMib).joined(separator: "\n"))
        passed = report.passed(growthPercent: rssGrowthPercent, growthMiB: rssGrowthMib)
        guard passed else { throw BenchE2EError("soak FAILED (logs kept in \(temp.path))") }
    }

    private func soakConfig(input: String, output: String, state: String) -> String {
        BenchDaemonConfiguration.yaml(
            model: BenchDaemonConfiguration.rls(bias: true), name: "soak", input: input, output: output, hwm: 10_000_000,
            maxContexts: 2 * streams + 16, state: state, checkpointIntervalSeconds: 20, journal: journal, logLevel: "info",
            statsIntervalSeconds: 10)
    }
}
