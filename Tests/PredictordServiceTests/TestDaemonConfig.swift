import Foundation
import PredictorCore
import PredictordConfig
import PredictorEngine

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's configuration for a test: every model kind (as in Config/predictord.yaml) plus a `probe/` model
/// for slow-joiner probes, routed by prefix with **no catch-all**, free loopback ports, a temporary state directory.
/// Built as a ``DaemonConfiguration`` and written by the daemon's own ``ConfigurationRenderer``.
struct TestDaemonConfig {
    var observationsPort: Int
    var predictionsPort: Int
    var stateDirectory: String
    var statsIntervalSeconds: Double = 0.5
    var checkpointIntervalSeconds: Double = 0
    /// state.journal (the daemon's default, so every daemon test runs with it).
    var journal = DaemonConfiguration.JournalMode.write
    var logLevel = "info"
    /// logging.format outside systemd: text or json.
    var logFormat = "text"
    /// The http section (off unless a test sets `http.listen`).
    var http = HTTPConfiguration()
    var sendHighWaterMark = 1_000_000
    var slowSubscriber = DaemonConfiguration.SlowSubscriberPolicy.count
    /// Host the observation socket binds (clients still connect to 127.0.0.1).
    var observationsBindHost = "127.0.0.1"
    /// CURVE on the observation and prediction sockets (nil: plain text).
    var observationsCurve: CurveServerConfiguration?
    var predictionsCurve: CurveServerConfiguration?
    /// Limits (tests lower single bounds of these).
    var limits: DaemonConfiguration.Limits = {
        var limits = DaemonConfiguration().limits
        limits.maxContexts = 100_000
        limits.idleTTLSeconds = 0
        limits.maxMessageBytes = 65_536
        return limits
    }()
    /// The models (default: ``modelDefinitions``, what replay uses).
    var models = TestDaemonConfig.modelDefinitions

    var observationsEndpoint: String { "tcp://127.0.0.1:\(observationsPort)" }
    var predictionsEndpoint: String { "tcp://127.0.0.1:\(predictionsPort)" }

    /// The models in the user's notation, read by the daemon's loader once (shared by the daemon's file and replay's).
    static let modelsYAML = """
        models: [series, pairs, kernel, weather, weather-learn, weather-dual, probe]
        model:
          series:
            kind: rls
            match: "series/"
            lags: 4
            bias: true
            lambda: 0.999
            delta: 0.000001
          pairs:
            kind: rls
            match: "pairs/"
            dimension: 2
            lambda: 1
            delta: 0.000001
          kernel:
            kind: softmax
            match: "kernel/"
            lags: 2
            bias: false
            beta: 1.0
            window: 64
            learn: true          # β tuned across streams: the daemon must still equal replay, across restarts
            learn_refresh: 4
          weather:
            kind: forward
            match: "weather/"
            states: 2
            symbols: 3
            transition: [0.9, 0.1, 0.2, 0.8]
            emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6]
            initial: [0.5, 0.5]
            values: [0, 1, 2]
          weather-learn:         # the same HMM learned across its streams by online EM (daemon equals replay still)
            { kind: forward, match: "weather/learn-", states: 2, symbols: 3, transition: [0.9, 0.1, 0.2, 0.8],
              emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6], learn: true, learn_segment: 16, learn_refresh: 1 }
          weather-dual:
            kind: dual
            match: "weather-dual/"
            window: 16
            states: 2
            symbols: 3
            transition: [0.9, 0.1, 0.2, 0.8]
            emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6]
            initial: [0.5, 0.5]
            learn: true
            learn_segment: 16
            learn_refresh: 2
          probe:
            kind: rls
            match: "probe/"
            lags: 1
            bias: true

        """

    static let modelDefinitions = definitions(modelsYAML, source: "TestDaemonConfig.modelsYAML")

    /// The models of a `models:` + `model:` YAML section, read by the daemon's loader (a test's own fixture: a
    /// section that does not load is a bug in the test).
    static func definitions(_ yaml: String, source: String) -> [ModelDefinition] {
        do {
            return try ConfigurationLoader.parse(yaml: yaml, source: source).models
        } catch {
            fatalError("\(source) does not load: \(error)")
        }
    }

    /// The whole configuration, defaults filled in by ``DaemonConfiguration``.
    var configuration: DaemonConfiguration {
        var c = DaemonConfiguration()
        c.observations.bind = ["tcp://\(observationsBindHost):\(observationsPort)"]
        c.observations.subscribe = [""]
        c.observations.receiveHighWaterMark = 1_000_000
        c.observations.curve = observationsCurve
        c.predictions.bind = [predictionsEndpoint]
        c.predictions.sendHighWaterMark = sendHighWaterMark
        c.predictions.slowSubscriber = slowSubscriber
        c.predictions.curve = predictionsCurve
        c.limits = limits
        c.state.directory = stateDirectory
        c.state.checkpointIntervalSeconds = checkpointIntervalSeconds
        c.state.journal = journal
        c.logging.level = logLevel
        c.logging.statsIntervalSeconds = statsIntervalSeconds
        c.logging.format = logFormat
        c.http = http
        c.models = models
        return c
    }

    var yaml: String { ConfigurationRenderer.yaml(configuration) }
}
