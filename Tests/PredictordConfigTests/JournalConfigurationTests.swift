import Foundation
import PredictordConfig
import Testing

/// `state.journal`: `write` by default, `off`/`fsync` by key, anything else an error naming the key and the choices;
/// `check-config`'s rendering loads back to the same setting.
@Suite struct JournalConfigurationTests {
    @Test func defaultValuesErrorAndRendering() async throws {
        let path = try ConfigurationLoaderTests.write(ConfigurationLoaderTests.minimal)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await ConfigurationLoader.load(path: path, environment: [:]).state.journal == .write)
        for mode in DaemonConfiguration.JournalMode.allCases {
            let config = try await ConfigurationLoader.load(path: path, environment: [:], overrides: ["state.journal=\(mode.rawValue)"])
            #expect(config.state.journal == mode)
            let rendered = try ConfigurationLoaderTests.write(ConfigurationRenderer.yaml(config))
            defer { try? FileManager.default.removeItem(atPath: rendered) }
            #expect(try await ConfigurationLoader.load(path: rendered, environment: [:]).state.journal == mode)
        }
        do {
            _ = try await ConfigurationLoader.load(path: path, environment: [:], overrides: ["state.journal=sometimes"])
            Issue.record("state.journal=sometimes was accepted")
        } catch {
            #expect(error.issues.map(\.key) == ["state.journal"], "\(error)")
            #expect(error.issues.first?.message.contains("off, write or fsync") == true, "\(error)")
        }
    }
}
