import Foundation
import PredictordConfig
import Testing

extension DaemonTests {
    /// The endpoint beyond loopback: the exposure warning, the token required by every route, and `/streams/<id>`
    /// answering with exactly what the stream last published.
    @Suite("HTTPAccess")
    struct HTTPAccess {
        @Test("0.0.0.0 with http.token_file: warned at start, 401 without the token, Bearer and basic auth accepted; /streams/<id> is the last prediction")
        func tokenGuardsEveryRouteAndStreamsAnswer() throws {
            if let reason = Metrics.skipReason() { print("HTTPAccess test skipped: \(reason)"); return }
            let directory = try Harness.temporaryDirectory("http-access")
            defer { try? FileManager.default.removeItem(at: directory) }
            let token = "t0ken-\(UUID().uuidString)"
            let tokenFile = directory.appendingPathComponent("http.token")
            try (token + "\n").write(to: tokenFile, atomically: true, encoding: .utf8)
            let port = try Harness.freePort()
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
                $0.models = Metrics.definitions
                $0.http.listen = "0.0.0.0:\(port)"
                $0.http.tokenFile = tokenFile.path
            }
            #expect(daemon.waitForStderr("http.listen 0.0.0.0:\(port) is reachable from other hosts; every request must carry the token", within: 5),
                    "\(daemon.stderr)")
            let base = "http://127.0.0.1:\(port)"
            #expect(waitUntil(5) { (try? HTTPTestSupport.get(base + "/metrics").status) == 401 })
            for path in ["/", "/metrics", "/api/overview", "/streams/flat/a", "/events?stream=flat/a"] {
                #expect(try HTTPTestSupport.get(base + path).status == 401, "\(path) answered without the token")
                #expect(try HTTPTestSupport.get(base + path, headers: ["Authorization": "Bearer wrong-token-0123456789"]).status == 401)
            }
            let basic = "Basic " + Data("prometheus:\(token)".utf8).base64EncodedString()
            #expect(try HTTPTestSupport.get(base + "/api/overview", headers: ["Authorization": basic]).status == 200)
            let refused = try HTTPTestSupport.scrape(port: port, in: directory)
            #expect(refused.refusedStatus == 401)
            let scraped = try HTTPTestSupport.scrape(port: port, token: token, in: directory)
            #expect(scraped.refusedStatus == nil && scraped.value("predictord_contexts") != nil)

            // /streams/<id>: the model, n, last seq and the prediction it published last, number for number.
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
            for t in 0..<20 { try client.send("flat/a", Array(#"{"seq":\#(t + 100),"y":\#(Double(t % 7) * 0.3)}"#.utf8)) }
            let received = try client.collect(count: 20)
            let last = try #require(received.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any] })
            let bearer = ["Authorization": "Bearer \(token)"]
            let answer = try HTTPTestSupport.get(base + "/streams/flat%2Fa", headers: bearer)
            #expect(answer.status == 200)
            let status = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
            #expect(status["model"] as? String == "flat" && status["n"] as? Int == 20 && status["last_seq"] as? Int == 119, "\(status)")
            let prediction = try #require(status["prediction"] as? [String: Any])
            for key in ["mean", "var", "seq", "n"] {
                #expect("\(prediction[key] ?? "missing")" == "\(last[key] ?? "missing")", "\(key): \(prediction) vs \(last)")
            }
            #expect("\(prediction["interval"] ?? "")" == "\(last["interval"] ?? "")")
            // http.latency_sample_every (default 16): the k-th received message (from 0) is timed when 16 divides k.
            let probes = try HTTPTestSupport.get(base + "/streams/probe/sync", headers: bearer)
            let probeCount = try #require((try JSONSerialization.jsonObject(with: probes.body) as? [String: Any])?["n"] as? Int)
            var timed = HTTPTestSupport.Scrape()
            let expectedTimed = Double((probeCount + 20 + 15) / 16)
            waitUntil(5) {
                timed = (try? HTTPTestSupport.scrape(port: port, token: token, in: directory)) ?? timed
                return timed.all("predictord_latency_seconds_count").compactMap(\.value).reduce(0, +) == expectedTimed
            }
            #expect(timed.all("predictord_latency_seconds_count").compactMap(\.value).reduce(0, +) == expectedTimed,
                    "\(probeCount) probes + 20: \(timed.all("predictord_latency_seconds_count"))")
            let unknown = try HTTPTestSupport.get(base + "/streams/flat/never", headers: bearer)
            #expect(unknown.status == 404 && String(decoding: unknown.body, as: UTF8.self).contains("no live stream 'flat/never'"))
            #expect(daemon.stop()?.status == 0)
        }

        @Test("an http.listen port already in use stops the start with the address named")
        func portInUseFailsTheStart() throws {
            let directory = try Harness.temporaryDirectory("http-busy")
            defer { try? FileManager.default.removeItem(at: directory) }
            let first = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("a"), directory: directory, name: "a") {
                $0.models = Metrics.definitions
            }
            // The first daemon's observation port is taken: a second daemon's http.listen on it cannot bind.
            let busy = first.config.observationsPort
            var config = TestDaemonConfig(observationsPort: try Harness.freePort(), predictionsPort: try Harness.freePort(),
                                          stateDirectory: directory.appendingPathComponent("b").path)
            config.models = Metrics.definitions
            config.http.listen = "127.0.0.1:\(busy)"
            let second = try DaemonProcess(config: config, directory: directory, name: "b")
            #expect(waitUntil(15) { !second.process.isRunning }, "the daemon kept running without its HTTP endpoint")
            second.process.waitUntilExit()
            #expect(second.process.terminationStatus != 0)
            #expect(second.stderr.contains("Address already in use") || second.stderr.contains("address already in use"), "\(second.stderr.suffix(1500))")
            #expect(first.stop()?.status == 0)
        }
    }
}
