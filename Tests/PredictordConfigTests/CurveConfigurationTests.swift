import Foundation
import Testing
import ZeroMQ
@testable import PredictordConfig

/// CURVE keys in the configuration (real key files in a temporary directory) and the non-loopback check.
@Suite struct CurveConfigurationTests {
    /// A temporary directory with a daemon key pair `server` and two client pairs in `clients/`.
    struct Fixture {
        let directory: URL
        let server: ZMQCurveKeyPair
        let clients: [ZMQCurveKeyPair]

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-curve-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("clients"), withIntermediateDirectories: true)
            server = try ZMQCurveKeyPair.generate()
            clients = [try ZMQCurveKeyPair.generate(), try ZMQCurveKeyPair.generate()]
            try CurveKeyFile.write(server, base: path("server"), force: false)
            for (i, client) in clients.enumerated() { try CurveKeyFile.write(client, base: path("clients/c\(i)"), force: false) }
        }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        /// Loads a configuration whose `sockets` section is `sockets` (YAML, 2-space indented under sockets:).
        func load(_ sockets: String) async throws(ConfigurationErrors) -> DaemonConfiguration {
            let file = directory.appendingPathComponent("config-\(UUID().uuidString).yaml")
            let yaml = "sockets:\n\(sockets)\nmodels: [s]\nmodel:\n  s:\n    kind: rls\n    match: \"\"\n    lags: 1\n"
            try? yaml.write(to: file, atomically: true, encoding: .utf8)
            return try await ConfigurationLoader.load(path: file.path, environment: [:])
        }

        func issues(_ sockets: String) async -> [ConfigurationIssue] {
            do { _ = try await load(sockets); return [] } catch { return error.issues }
        }
    }

    @Test func keysAndAllowListsAreRead() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let config = try await f.load("""
              observations:
                bind: ["tcp://0.0.0.0:5556"]
                curve_secret_key_file: "\(f.path("server.key"))"
                allowed_publishers: ["\(f.path("clients"))"]
              predictions:
                curve_secret_key_file: "\(f.path("server.key"))"
                allowed_subscribers: ["\(f.path("clients/c1.pub"))"]
            """)
        let observations = try #require(config.observations.curve)
        #expect(observations.keyPair == f.server)
        #expect(observations.allowed.map(\.key) == f.clients.map(\.publicKey))
        #expect(observations.allowed.map(\.file) == [f.path("clients/c0.pub"), f.path("clients/c1.pub")])
        #expect(config.predictions.curve?.allowed.map(\.key) == [f.clients[1].publicKey])
        #expect(config.exposedPlainTextEndpoints.isEmpty, "CURVE is on for the exposed endpoint")
        let rendered = ConfigurationRenderer.yaml(config)
        #expect(rendered.contains(f.server.publicKey.z85) && !rendered.contains(f.server.secretKey.z85))
    }

    @Test func badKeySettingsNameTheKeyAndTheFix() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let secret = f.path("server.key")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secret)
        let readable = await f.issues("  observations:\n    curve_secret_key_file: \"\(secret)\"\n    allowed_publishers: [\"\(f.path("clients"))\"]")
        #expect(readable.contains { $0.key == "sockets.observations.curve_secret_key_file" && $0.message.contains("chmod 600") })
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)

        let publicOnly = f.path("server.pub")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: publicOnly)
        let wrongFile = await f.issues("  observations:\n    curve_secret_key_file: \"\(publicOnly)\"\n    allowed_publishers: [\"\(f.path("clients"))\"]")
        #expect(wrongFile.contains { $0.key == "sockets.observations.curve_secret_key_file" && $0.message.contains("no secret-key") })

        let noList = await f.issues("  predictions:\n    curve_secret_key_file: \"\(secret)\"")
        #expect(noList.map(\.key) == ["sockets.predictions.allowed_subscribers"])

        let noKey = await f.issues("  predictions:\n    allowed_subscribers: [\"\(f.path("clients"))\"]")
        #expect(noKey.contains { $0.key == "sockets.predictions.allowed_subscribers" && $0.message.contains("curve_secret_key_file") })

        try FileManager.default.createDirectory(atPath: f.path("empty"), withIntermediateDirectories: true)
        let badEntries = await f.issues("  observations:\n    curve_secret_key_file: \"\(secret)\"\n    allowed_publishers: [\"\(f.path("missing.pub"))\", \"\(f.path("empty"))\"]")
        #expect(badEntries.contains { $0.key == "sockets.observations.allowed_publishers[0]" && $0.message.contains("no such file") })
        #expect(badEntries.contains { $0.key == "sockets.observations.allowed_publishers[1]" && $0.message.contains("no *.pub") })
    }

    @Test func keyFilesAreNotOverwrittenWithoutForce() throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let other = try ZMQCurveKeyPair.generate()
        #expect(throws: CurveKeyFile.Failure.self) { try CurveKeyFile.write(other, base: f.path("server"), force: false) }
        #expect(try CurveKeyFile.loadKeyPair(f.path("server.key")) == f.server)
        try CurveKeyFile.write(other, base: f.path("server"), force: true)
        #expect(try CurveKeyFile.loadKeyPair(f.path("server.key")) == other)
        #expect(try CurveKeyFile.loadPublicKey(f.path("server.pub")) == other.publicKey)
    }

    @Test(arguments: [
        ("tcp://127.0.0.1:5556", false), ("tcp://127.3.2.1:5556", false), ("tcp://localhost:5556", false),
        ("tcp://[::1]:5556", false), ("tcp://lo:5556", false), ("ipc:///run/predictord/obs", false), ("inproc://x", false),
        ("tcp://*:5556", true), ("tcp://0.0.0.0:5556", true), ("tcp://[::]:5556", true), ("tcp://192.168.1.5:5556", true),
        ("tcp://eth0:5556", true), ("tcp://10.0.0.1;127.0.0.1:5556", false), ("tcp://127.0.0.1;10.0.0.1:5556", true),
        ("TCP://0.0.0.0:1", true), ("tcp://127.0.0.1.example.com:5556", true),
    ])
    func exposure(endpoint: String, exposed: Bool) {
        #expect(EndpointExposure.isExposed(endpoint) == exposed, "\(endpoint)")
    }

    @Test func plainTextExposedBindsAreListedWithTheirKey() {
        var config = DaemonConfiguration()
        config.observations.bind = ["tcp://127.0.0.1:5556", "tcp://*:6000"]
        config.predictions.bind = ["tcp://10.1.2.3:5557"]
        #expect(config.exposedPlainTextEndpoints.map(\.key) == ["sockets.observations.bind", "sockets.predictions.bind"])
        #expect(config.exposedPlainTextEndpoints.map(\.endpoint) == ["tcp://*:6000", "tcp://10.1.2.3:5557"])
        #expect(DaemonConfiguration().exposedPlainTextEndpoints.isEmpty, "the defaults stay loopback-only")
    }
}
