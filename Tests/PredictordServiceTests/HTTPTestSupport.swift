import Foundation
import PredictordTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP endpoint's test tools: a daemon with `http.listen` on a free port, the Python scraper (a real HTTP
/// client and prometheus_client's text parser) and its parsed samples.
enum HTTPTestSupport {
    static let scraper = Harness.testsDirectory.appendingPathComponent("python/scrape_metrics.py")

    /// Nil when python3 can import prometheus_client (`.ci/setup` installs it); otherwise why not.
    static let unavailable: String? = {
        guard let python = DaemonTests.PythonClient.python else { return "python3 not found" }
        let directory = FileManager.default.temporaryDirectory
        guard let result = try? DaemonTests.PythonClient.run(python, ["-c", "import prometheus_client"], in: directory, timeout: 20) else {
            return "python3 did not run"
        }
        return result.status == 0 ? nil : "python3 cannot import prometheus_client (bash .ci/setup installs it): \(result.output)"
    }()

    /// A daemon with `http.listen` on a free port, its state in a fresh temporary directory `label` (the caller
    /// removes the directory).
    static func startDaemon(_ label: String, configure: (inout TestDaemonConfig) -> Void = { _ in }) throws
        -> (daemon: DaemonProcess, directory: URL, port: Int) {
        let directory = try Harness.temporaryDirectory(label)
        let port = try Harness.freePort()
        let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
            $0.http.listen = "127.0.0.1:\(port)"
            configure(&$0)
        }
        return (daemon, directory, port)
    }

    /// One parsed sample.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double?
    }

    /// The parsed exposition, or the HTTP status when the endpoint refused.
    struct Scrape {
        var samples: [Sample] = []
        var contentType = ""
        var refusedStatus: Int?

        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }

        func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
    }

    static func scrape(port: Int, token: String? = nil, in directory: URL) throws -> Scrape {
        let url = "http://127.0.0.1:\(port)/metrics"
        let result = try DaemonTests.PythonClient.run(
            DaemonTests.PythonClient.python!, [scraper.path, url] + (token.map { [$0] } ?? []), in: directory, timeout: 30)
        var scrape = Scrape()
        for line in result.output.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw HarnessError("scrape_metrics.py printed a non-JSON line: \(line)\n\(result.output.suffix(2000))")
            }
            if let status = object["status"] as? Int { scrape.refusedStatus = status; continue }
            if let type = object["content_type"] as? String { scrape.contentType = type; continue }
            let value: Double? = (object["value"] as? Double) ?? (object["value"] as? String).flatMap(Double.init)
            scrape.samples.append(Sample(name: object["name"] as! String, labels: object["labels"] as? [String: String] ?? [:], value: value))
        }
        if scrape.refusedStatus == nil, result.status != 0 {
            throw HarnessError("scrape_metrics.py exited \(result.status): \(result.output.suffix(2000))")
        }
        return scrape
    }

    /// A GET through Python's urllib (a real HTTP client; Foundation's URLSession on Linux stalls on a 401
    /// with a basic-auth challenge): the status and the body.
    static func get(_ url: String, headers: [String: String] = [:]) throws -> (status: Int, body: Data) {
        let script = Harness.testsDirectory.appendingPathComponent("python/http_get.py").path
        let directory = FileManager.default.temporaryDirectory
        let result = try DaemonTests.PythonClient.run(
            DaemonTests.PythonClient.python!, [script, url] + headers.map { "\($0.key):\($0.value)" }, in: directory, timeout: 20)
        guard result.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
              let status = object["status"] as? Int, let body = object["body"] as? String else {
            throw HarnessError("GET \(url) failed: \(result.output.suffix(1000))")
        }
        return (status, Data(body.utf8))
    }
}
