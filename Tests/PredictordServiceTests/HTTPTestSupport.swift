import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PredictordTestSupport
import Synchronization
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

    /// A GET through Foundation's URLSession (a real HTTP client); the status and the body.
    static func get(_ url: String, headers: [String: String] = [:]) throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 10
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(((response as? HTTPURLResponse)?.statusCode ?? -1, data ?? Data(), error.map { "\($0)" }))
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 15) == .success, let result = box.value else { throw HarnessError("GET \(url) timed out") }
        if let error = result.2 { throw HarnessError("GET \(url) failed: \(error)") }
        return (result.0, result.1)
    }

    /// The completion handler's result, handed across threads under a lock.
    final class ResultBox: Sendable {
        private let stored = Mutex<(Int, Data, String?)?>(nil)
        func set(_ v: (Int, Data, String?)) { stored.withLock { $0 = v } }
        var value: (Int, Data, String?)? { stored.withLock { $0 } }
    }
}
