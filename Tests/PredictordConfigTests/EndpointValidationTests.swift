import Foundation
import PredictordConfig
import Testing

/// check-config rejects endpoints `run` could never bind or connect, and a stats interval below 0.1 s, by key.
@Suite struct EndpointValidationTests {
    static func issues(_ extra: [String]) async throws -> [ConfigurationIssue] {
        let path = try ConfigurationLoaderTests.write(ConfigurationLoaderTests.minimal)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try await ConfigurationLoader.load(path: path, environment: [:], overrides: extra)
            return []
        } catch {
            return error.issues
        }
    }

    @Test(arguments: [
        ("tcp://127.0.0.1:72092", "72092"), ("tcp://127.0.0.1", "no port"), ("tcp://127.0.0.1:", "port ''"),
        ("tcp://127.0.0.1:0", "port '0'"), ("tcp://127.0.0.1:abc", "port 'abc'"), ("udp://127.0.0.1:5556", "unknown transport 'udp'"),
        ("127.0.0.1:5556", "transport://"), ("tcp://:5556", "no host"), ("tcp://[::1]", "no port"),
    ])
    func badBindEndpointIsRejectedWithItsKey(endpoint: String, says: String) async throws {
        let issues = try await Self.issues(["sockets.predictions.bind=[\(endpoint)]"])
        #expect(issues.map(\.key) == ["sockets.predictions.bind"], "\(issues)")
        #expect(issues.first?.message.contains(says) == true, "\(issues)")
    }

    @Test(arguments: ["tcp://127.0.0.1:5556", "tcp://*:5556", "tcp://*:*", "tcp://[::1]:5556", "ipc:///run/p.sock", "inproc://x", "tcp://eth0:1"])
    func goodBindEndpointIsAccepted(endpoint: String) async throws {
        #expect(try await Self.issues(["sockets.predictions.bind=[\(endpoint)]"]).isEmpty)
    }

    @Test func connectEndpointNeedsAPortButMayNameASource() async throws {
        #expect(try await Self.issues(["sockets.observations.connect=[tcp://127.0.0.1:0;127.0.0.1:5600]"]).isEmpty)
        let issues = try await Self.issues(["sockets.observations.connect=[tcp://127.0.0.1:*]"])
        #expect(issues.map(\.key) == ["sockets.observations.connect"], "\(issues)")
    }

    @Test(arguments: ["0", "-1", "0.05", "nan"])
    func statsIntervalBelowATenthIsRejected(value: String) async throws {
        let issues = try await Self.issues(["logging.stats_interval_seconds=\(value)"])
        #expect(issues.map(\.key) == ["logging.stats_interval_seconds"], "\(issues)")
        #expect(issues.first?.message.contains(value == "nan" ? "finite" : "≥ 0.1") == true, "\(issues)")
    }

    @Test func statsIntervalOfATenthIsAccepted() async throws {
        #expect(try await Self.issues(["logging.stats_interval_seconds=0.1"]).isEmpty)
    }
}
