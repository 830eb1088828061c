import Foundation
import PredictorCore

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's configuration for a test: every model kind (as in Config/predictord.yaml) plus a `probe/` model
/// for slow-joiner probes, routed by prefix with **no catch-all**, free loopback ports, a temporary state directory.
struct TestDaemonConfig {
    var observationsPort: Int
    var predictionsPort: Int
    var stateDirectory: String
    var statsIntervalSeconds: Double = 0.5
    var checkpointIntervalSeconds: Double = 0
    var logLevel = "info"
    var logFormat = "text"
    var sendHighWaterMark = 1_000_000
    var slowSubscriber = "count"
    /// Host the observation socket binds (clients still connect to 127.0.0.1).
    var observationsBindHost = "127.0.0.1"
    /// Extra YAML lines (4-space indented) under sockets.observations, sockets.predictions, and limits (2-space).
    var observationsExtra = ""
    var predictionsExtra = ""
    var limitsExtra = ""
    /// Extra top-level YAML sections (e.g. `http:`), placed before the models.
    var sectionsExtra = ""
    /// The models section (default: ``models``, what replay uses).
    var modelsYAML = TestDaemonConfig.models

    var observationsEndpoint: String { "tcp://127.0.0.1:\(observationsPort)" }
    var predictionsEndpoint: String { "tcp://127.0.0.1:\(predictionsPort)" }

    /// The models only (shared by the daemon's file and replay's).
    static let models = """
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

    var yaml: String {
        """
        sockets:
          observations:
            bind: ["tcp://\(observationsBindHost):\(observationsPort)"]
            subscribe: [""]
            receive_hwm: 1000000
        \(observationsExtra)
          predictions:
            bind: ["\(predictionsEndpoint)"]
            send_hwm: \(sendHighWaterMark)
            slow_subscriber: \(slowSubscriber)
        \(predictionsExtra)
        limits:
          max_contexts: 100000
          idle_ttl_seconds: 0
          max_message_bytes: 65536
        \(limitsExtra)
        state:
          directory: "\(stateDirectory)"
          checkpoint_interval_seconds: \(checkpointIntervalSeconds)
        logging:
          level: \(logLevel)
          stats_interval_seconds: \(statsIntervalSeconds)
          format: \(logFormat)
        \(sectionsExtra)

        """ + modelsYAML
    }
}
