import Foundation
import PredictordConfig
import Testing

/// The `http` section: off by default, `listen` and `token_file` validated with their key and a fix, rendered by
/// `check-config` without the token, and exposure judged like the sockets'.
@Suite struct HTTPConfigurationTests {
    static func load(_ overrides: [String]) async throws(ConfigurationErrors) -> DaemonConfiguration {
        let path = try! ConfigurationLoaderTests.write(ConfigurationLoaderTests.minimal)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await ConfigurationLoader.load(path: path, environment: [:], overrides: overrides)
    }

    static func issues(_ overrides: [String]) async -> [ConfigurationIssue] {
        do {
            _ = try await load(overrides)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func offByDefaultAndRenderedAsOff() async throws {
        let config = try await Self.load([])
        #expect(config.http.listen == nil && config.http.hostAndPort == nil && config.http.token == nil)
        #expect(config.http.qualityHalfLife == 1000 && config.http.latencySampleEvery == 16)
        let yaml = ConfigurationRenderer.yaml(config)
        #expect(yaml.contains("http:\n  listen: \"\"   # off\n  token_file: \"\"   # no authentication\n  quality_half_life: 1000.0\n"))
    }

    @Test func listenIsHostAndPortAndExposureIsJudgedLikeTheSockets() async throws {
        let config = try await Self.load(["http.listen=127.0.0.1:9464", "http.quality_half_life=20"])
        #expect(config.http.hostAndPort! == ("127.0.0.1", 9464))
        #expect(config.http.isExposed == false)
        #expect(config.http.qualityHalfLife == 20)
        #expect(try await Self.load(["http.listen=0.0.0.0:9464"]).http.isExposed)
        #expect(try await Self.load(["http.listen=[::1]:9464"]).http.hostAndPort! == ("::1", 9464))
        #expect(try await Self.load(["http.listen=[::1]:9464"]).http.isExposed == false)
        // The rendered configuration loads back to the same http section.
        let path = try ConfigurationLoaderTests.write(ConfigurationRenderer.yaml(config))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await ConfigurationLoader.load(path: path, environment: [:]).http == config.http)
    }

    @Test func badValuesAreReportedWithTheirKeyAndAFix() async throws {
        for (value, text) in [("9464", "is not host:port"), ("localhost:http", "is not host:port"), ("127.0.0.1:70000", "is not host:port")] {
            let issues = await Self.issues(["http.listen=\(value)"])
            #expect(issues.map(\.key) == ["http.listen"], "\(value): \(issues)")
            #expect(issues.first?.message.contains(text) == true && issues.first?.message.contains("127.0.0.1:9464") == true)
        }
        #expect(await Self.issues(["http.latency_sample_every=0"]).map(\.key) == ["http.latency_sample_every"])
        let halfLife = await Self.issues(["http.quality_half_life=0"])
        #expect(halfLife.map(\.key) == ["http.quality_half_life"])
        let missing = await Self.issues(["http.token_file=/nonexistent/token"])
        #expect(missing.map(\.key) == ["http.token_file"] && missing[0].message.contains("cannot read /nonexistent/token"), "\(missing)")
    }

    @Test func tokenFileIsReadTrimmedAndMustBeLongEnough() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good").path, short = directory.appendingPathComponent("short").path
        try "0123456789abcdefXYZ\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "abc\n".write(toFile: short, atomically: true, encoding: .utf8)
        let config = try await Self.load(["http.listen=0.0.0.0:9464", "http.token_file=\(good)"])
        #expect(config.http.token == "0123456789abcdefXYZ")
        #expect(!ConfigurationRenderer.yaml(config).contains("0123456789abcdefXYZ"), "the token must never be printed")
        let issues = await Self.issues(["http.token_file=\(short)"])
        #expect(issues.map(\.key) == ["http.token_file"] && issues[0].message.contains("at least 16"), "\(issues)")
    }
}
