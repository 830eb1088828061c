import Foundation
import PredictorEngine
import PredictordConfig
import Testing

/// The loader on real YAML files: the bundled default, precedence of --set over environment over file, and
/// that every problem is reported at once with its key path.
@Suite struct ConfigurationLoaderTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Writes `yaml` to a fresh temporary file and returns its path.
    static func write(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-config-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let minimal = """
        sockets:
          observations:
            receive_hwm: 10
        models: [a]
        model:
          a:
            kind: rls
            match: "a/"
            lags: 2
            lambda: 0.99
            delta: 0.001

        """

    @Test func bundledDefaultLoadsWithOneModelOfEachKindOnLoopback() async throws {
        let path = Self.repository.appendingPathComponent("Config/predictord.yaml").path
        let config = try await ConfigurationLoader.load(path: path, environment: [:])
        #expect(config.models.map(\.name) == ["forecast", "kernel", "pairs", "series", "weather", "weather-dual"])
        #expect(Set(config.models.map(\.spec.kind)) == ["auto", "rls", "softmax", "forward", "dual"])
        for endpoint in config.observations.bind + config.predictions.bind {
            #expect(endpoint.hasPrefix("tcp://127.0.0.1:"), "\(endpoint) is not loopback")
        }
        #expect(config.state.checkpointIntervalSeconds == 60)
    }

    @Test func setOverridesEnvironmentWhichOverridesTheFile() async throws {
        let path = try Self.write(Self.minimal)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try await ConfigurationLoader.load(path: path, environment: [:])
        #expect(file.observations.receiveHighWaterMark == 10)
        let env = ["PREDICTORD_SOCKETS_OBSERVATIONS_RECEIVE_HWM": "20", "UNRELATED_VARIABLE": "x"]
        let fromEnvironment = try await ConfigurationLoader.load(path: path, environment: env)
        #expect(fromEnvironment.observations.receiveHighWaterMark == 20)
        let fromSet = try await ConfigurationLoader.load(
            path: path, environment: env, overrides: ["sockets.observations.receive_hwm=30", "limits.max_contexts=7"])
        #expect(fromSet.observations.receiveHighWaterMark == 30)
        #expect(fromSet.limits.maxContexts == 7)
    }

    @Test func everyProblemIsReportedWithItsKeyPath() async throws {
        let yaml = Self.minimal.replacingOccurrences(of: "lambda: 0.99", with: "lambda: 1.5") + """
            limits:
              max_contexts: 0
              max_mesage_bytes: 100

            """
        let path = try Self.write(yaml)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try await ConfigurationLoader.load(path: path, environment: [:], overrides: ["state.checkpoint_intervall=5"])
            Issue.record("a configuration with four errors was accepted")
        } catch {
            let keys = Set(error.issues.map(\.key))
            #expect(keys.contains("model.a.lambda"), "\(error)")
            #expect(keys.contains("limits.max_contexts"), "\(error)")
            #expect(keys.contains("limits.max_mesage_bytes"), "\(error)")
            #expect(keys.contains("state.checkpoint_intervall"), "\(error)")
            #expect(error.description.contains(path))
        }
    }

    @Test func stopFlushDefaultsToFiveSecondsAndIsBounded() async throws {
        let path = try Self.write(Self.minimal)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await ConfigurationLoader.load(path: path, environment: [:]).predictions.lingerSeconds == 5)
        let set = try await ConfigurationLoader.load(path: path, environment: [:], overrides: ["sockets.predictions.linger_seconds=0.5"])
        #expect(set.predictions.lingerSeconds == 0.5)
        do {
            _ = try await ConfigurationLoader.load(path: path, environment: [:], overrides: ["sockets.predictions.linger_seconds=400"])
            Issue.record("a 400 s linger was accepted")
        } catch {
            #expect(error.issues.map(\.key) == ["sockets.predictions.linger_seconds"], "\(error)")
        }
    }

    @Test func unreadableFileNamesThePath() async throws {
        do {
            _ = try await ConfigurationLoader.load(path: "/nonexistent/predictord.yaml", environment: [:])
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.description.contains("/nonexistent/predictord.yaml"))
            #expect(error.issues.map(\.key) == ["(file)"])
        }
    }

    @Test func reloadNamesTheSectionsThatNeedARestart() async throws {
        let path = try Self.write(Self.minimal)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let running = try await ConfigurationLoader.load(path: path, environment: [:])
        let modelsOnly = try await ConfigurationLoader.load(path: path, environment: [:], overrides: ["model.a.lambda=0.9"])
        #expect(running.sectionsNeedingRestart(toApply: modelsOnly).isEmpty)
        #expect(modelsOnly.models != running.models)
        let sockets = try await ConfigurationLoader.load(
            path: path, environment: [:], overrides: ["sockets.predictions.send_hwm=5", "logging.level=debug"])
        #expect(running.sectionsNeedingRestart(toApply: sockets) == ["sockets.predictions", "logging"])
    }
}
