import Foundation
import PredictordConfig
import PredictordTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// `/metrics` of a real daemon fed a known workload over real ZeroMQ, scraped by a real HTTP client and parsed
    /// by prometheus_client: every counter, gauge and histogram checked against the workload, and the windowed
    /// quality against the closed-form weighted averages of the scores computed from the published predictions.
    @Suite("Metrics")
    struct Metrics {
        static let halfLife = 50.0
        static let flatStreams = ["flat/a", "flat/b", "flat/c"]
        static let weatherStreams = ["weather/x", "weather/y"]
        static let steps = 150
        /// AR(2) with bias, learned exactly by RLS with λ = 1 (so ν = pairs − p, p = 3).
        static let models = """
            models: [flat, weather, probe]
            model:
              flat: { kind: rls, match: "flat/", lags: 2, bias: true, lambda: 1, delta: 0.000001 }
              weather:
                { kind: forward, match: "weather/", states: 2, symbols: 3, transition: [0.9, 0.1, 0.2, 0.8],
                  emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6], initial: [0.5, 0.5], values: [0, 1, 2] }
              probe: { kind: rls, match: "probe/", lags: 1, bias: true }

            """
        static let definitions = TestDaemonConfig.definitions(models, source: "DaemonMetricsTests.Metrics.models")

        static func skipReason() -> String? {
            if let reason = DaemonTests.PythonClient.unavailable ?? HTTPTestSupport.unavailable {
                if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("Metrics tests cannot run in CI: \(reason)") }
                return reason
            }
            return nil
        }

        @Test("counters, gauges, latency and checkpoint histograms and windowed mse / log loss / coverage match the workload")
        func metricsMatchTheWorkload() throws {
            if let reason = Self.skipReason() { print("Metrics test skipped: \(reason)"); return }
            let (daemon, directory, httpPort) = try HTTPTestSupport.startDaemon("metrics") {
                $0.models = Self.definitions
                $0.checkpointIntervalSeconds = 1
                $0.logFormat = "json"
                $0.http.qualityHalfLife = Self.halfLife
                $0.http.latencySampleEvery = 1
            }
            defer { try? FileManager.default.removeItem(at: directory) }
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)

            // The workload, round robin, in this global order; then three bad messages.
            var rng = SplitMix64(seed: 13)
            var sent: [(stream: String, y: Double)] = []
            var lags: [String: (Double, Double)] = [:]
            for t in 0..<Self.steps {
                for s in Self.flatStreams {
                    let (a, b) = lags[s] ?? (0, 0)
                    let y = 0.5 + 0.6 * a - 0.2 * b + 0.3 * (rng.unit() - 0.5)
                    lags[s] = (y, a)
                    sent.append((s, y))
                    try client.send(s, Array(#"{"seq":\#(t),"y":\#(y)}"#.utf8))
                }
                for s in Self.weatherStreams {
                    let z = Int(rng.next() % 3)
                    sent.append((s, Double(z)))
                    try client.send(s, Array(#"{"seq":\#(t),"z":\#(z)}"#.utf8))
                }
            }
            try client.send("nomatch/a", Array(#"{"y":1}"#.utf8))
            try client.send("nomatch/b", Array(#"{"y":1}"#.utf8))
            try client.send("flat/a", Array(#"{"seq":9999,"y":"#.utf8))
            let received = try client.collect(count: sent.count)
            #expect(received.count == sent.count)
            let predictions = Dictionary(grouping: received.map { r in
                (r.stream, try! JSONSerialization.jsonObject(with: Data(r.payload)) as! [String: Any])
            }, by: \.0).mapValues { $0.map(\.1) }

            // The probe stream's observations (sent until the SUB was synchronised), from /streams/<id>.
            let probe = try HTTPTestSupport.get("http://127.0.0.1:\(httpPort)/streams/probe/sync")
            #expect(probe.status == 200)
            let probeCount = (try JSONSerialization.jsonObject(with: probe.body) as? [String: Any])?["n"] as? Int ?? -1
            #expect(probeCount >= 1)

            // Scrape until the snapshot (published every 0.25 s) has every prediction and one checkpoint write.
            var scrape = HTTPTestSupport.Scrape()
            let total = Double(sent.count + probeCount)
            waitUntil(10) {
                scrape = (try? HTTPTestSupport.scrape(port: httpPort, in: directory)) ?? scrape
                return scrape.value("predictord_predictions_total") == total
                    && (scrape.value("predictord_checkpoint_writes_total", ["result": "ok"]) ?? 0) >= 1
            }
            #expect(scrape.contentType.hasPrefix("text/plain; version=0.0.4"))
            #expect(scrape.value("predictord_observations_total") == total)
            #expect(scrape.value("predictord_predictions_total") == total)
            #expect(scrape.value("predictord_dropped_total", ["reason": "unknown_stream"]) == 2)
            #expect(scrape.value("predictord_dropped_total", ["reason": "malformed_json"]) == 1)
            #expect(scrape.value("predictord_contexts") == 6)
            #expect(scrape.value("predictord_contexts_created_total") == 6)
            #expect(scrape.value("predictord_contexts_evicted_total") == 0)
            let version = String(decoding: try Harness.runTool(["--version"], in: directory).stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(scrape.value("predictord_build_info", ["version": version]) == 1, "\(scrape.all("predictord_build_info"))")

            // Resident memory against the kernel's VmRSS of the daemon (read right after; within 25 %).
            let status = try String(contentsOfFile: "/proc/\(daemon.pid)/status", encoding: .utf8)
            let vmRSS = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
                .flatMap { Double($0.split(separator: " ")[1]) }.map { $0 * 1024 } ?? 0
            let rss = scrape.value("predictord_resident_memory_bytes") ?? 0
            #expect(abs(rss - vmRSS) <= 0.25 * vmRSS, "resident \(rss) vs VmRSS \(vmRSS)")

            // Checkpoints: the last one's size is the file's, its age small; one duration sample per write.
            let writes = scrape.value("predictord_checkpoint_writes_total", ["result": "ok"]) ?? 0
            #expect(scrape.value("predictord_checkpoint_writes_total", ["result": "failed"]) == 0)
            let file = directory.appendingPathComponent("state/checkpoint.bin").path
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? -1
            #expect(scrape.value("predictord_checkpoint_bytes") == Double(size))
            let age = scrape.value("predictord_checkpoint_age_seconds") ?? -1
            #expect(age >= 0 && age < 3, "checkpoint age \(age)")
            #expect(scrape.value("predictord_checkpoint_duration_seconds_count") == writes)

            // Latency: one sample per prediction of each model, cumulative buckets, +Inf = count.
            for (model, count) in [("flat", 3 * Self.steps), ("weather", 2 * Self.steps), ("probe", probeCount)] {
                #expect(scrape.value("predictord_latency_seconds_count", ["model": model]) == Double(count), "\(model)")
                let buckets = scrape.all("predictord_latency_seconds_bucket").filter { $0.labels["model"] == model }
                    .map { (Double($0.labels["le"]!) ?? .infinity, $0.value ?? -1) }.sorted { $0.0 < $1.0 }
                #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.1 <= $1.1 }, "\(model): buckets not cumulative")
                #expect(buckets.last?.0 == .infinity && buckets.last?.1 == Double(count))
                let sum = scrape.value("predictord_latency_seconds_sum", ["model": model]) ?? 0
                // A bound on the unit (seconds, not ns or ms), not a speed target: those live in predictord-bench.
                #expect(sum > 0 && sum / Double(count) < 1, "\(model): mean latency \(sum / Double(count)) s")
            }

            // Poll batches: every message the daemon received (the workload, the three bad ones, the probes) was
            // drained by exactly one wake-up; none of these wake-ups ran out of budget.
            let receivedMessages = Double(sent.count + 3 + probeCount)
            #expect(scrape.value("predictord_poll_batch_messages_sum") == receivedMessages)
            let wakeups = scrape.value("predictord_poll_batch_messages_count") ?? 0
            #expect(wakeups >= 1 && wakeups <= receivedMessages, "\(wakeups) wake-ups for \(receivedMessages) messages")
            #expect(scrape.value("predictord_poll_budget_exhausted_total") == 0)

            // Windowed quality: closed-form weighted means over each model's scores in the global order.
            let reference = Self.referenceQuality(sent: sent, predictions: predictions)
            for (model, expected) in reference {
                for (metric, value) in expected {
                    let got = scrape.value("predictord_model_\(metric)", ["model": model])
                    #expect(got != nil && abs(got! - value) <= 1e-9 * max(1, abs(value)), "\(model) \(metric): \(got ?? .nan) vs \(value)")
                }
            }
            #expect(scrape.value("predictord_model_mse", ["model": "weather"]) == nil, "symbol streams have no squared error")
            #expect(daemon.stop()?.status == 0)
            // logging.format: json — every stderr line one JSON object, the stats entries among them.
            let lines = daemon.stderr.split(separator: "\n")
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            #expect(objects.count == lines.count && lines.count > 3, "non-JSON stderr lines: \(lines.filter { !$0.hasPrefix("{") }.prefix(3))")
            #expect(objects.contains { $0["message"]?.hasPrefix("stats: ") == true && $0["observations_total"] != nil })
        }

        @Test("poll batch sizes: one message per wake-up in lockstep, a backlog in large batches after a stall")
        func pollBatchesShowTheBacklog() throws {
            if let reason = Self.skipReason() { print("Metrics test skipped: \(reason)"); return }
            let (daemon, directory, httpPort) = try HTTPTestSupport.startDaemon("metrics-batches") { $0.models = Self.definitions }
            defer {
                kill(daemon.pid, SIGCONT)
                try? FileManager.default.removeItem(at: directory)
            }
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
            let probe = try HTTPTestSupport.get("http://127.0.0.1:\(httpPort)/streams/probe/sync")
            let probeCount = (try JSONSerialization.jsonObject(with: probe.body) as? [String: Any])?["n"] as? Int ?? -1
            #expect(probeCount >= 1)

            /// The scrape once the snapshot counts `predictions` predictions; its batch count, sum and size-1 bucket.
            func batches(after predictions: Int) -> (count: Double, sum: Double, ones: Double) {
                var scrape = HTTPTestSupport.Scrape()
                _ = waitUntil(10) {
                    scrape = (try? HTTPTestSupport.scrape(port: httpPort, in: directory)) ?? scrape
                    return scrape.value("predictord_predictions_total") == Double(predictions)
                }
                let ones = scrape.all("predictord_poll_batch_messages_bucket").first { Double($0.labels["le"] ?? "") == 1 }?.value
                return (scrape.value("predictord_poll_batch_messages_count") ?? -1, scrape.value("predictord_poll_batch_messages_sum") ?? -1, ones ?? -1)
            }
            let base = batches(after: probeCount)
            #expect(base.sum == Double(probeCount))

            // Lockstep: each observation is sent after the previous prediction arrived, so each wake-up finds one.
            let lockstep = 40
            for t in 0..<lockstep {
                try client.send("flat/a", Array(#"{"seq":\#(t),"y":\#(Double(t % 7))}"#.utf8))
                #expect(try client.collect(count: 1, within: 5, settle: 0).count == 1)
            }
            let paced = batches(after: probeCount + lockstep)
            #expect(paced.count - base.count == Double(lockstep))
            #expect(paced.ones - base.ones == Double(lockstep))
            #expect(paced.sum - base.sum == Double(lockstep))

            // A stall (SIGSTOP) while a burst arrives: the backlog is drained in few, large batches.
            let burst = 3000
            #expect(kill(daemon.pid, SIGSTOP) == 0)
            for t in 0..<burst { try client.send("flat/b", Array(#"{"seq":\#(t),"y":\#(Double(t % 5))}"#.utf8)) }
            usleep(300_000)
            #expect(kill(daemon.pid, SIGCONT) == 0)
            #expect(try client.collect(count: burst, within: 20).count == burst)
            let stalled = batches(after: probeCount + lockstep + burst)
            #expect(stalled.sum - paced.sum == Double(burst))
            let wakeups = stalled.count - paced.count
            #expect(wakeups >= 1 && Double(burst) / wakeups >= 16, "\(burst) messages in \(wakeups) wake-ups")
            #expect(daemon.stop()?.status == 0)
        }

        /// Σ 2^(−(n−i)/h)·sᵢ / Σ 2^(−(n−i)/h) of each model's scores sᵢ, i = 1…n in the order they were made.
        static func weighted(_ scores: [Double]) -> Double {
            let n = scores.count
            var num = 0.0, den = 0.0
            for (i, s) in scores.enumerated() {
                let w = pow(2, -Double(n - 1 - i) / halfLife)
                num += w * s
                den += w
            }
            return num / den
        }

        /// The scores of every observation from the published predictions alone: squared error y − previous mean,
        /// the Student-t log loss under the previous prediction (ν = pairs learned − 3, scale² = var·(ν−2)/ν), the
        /// previous 90 % interval's coverage; for symbols the published surprise and the previous interval.
        static func referenceQuality(sent: [(stream: String, y: Double)], predictions: [String: [[String: Any]]]) -> [String: [String: Double]] {
            var next: [String: Int] = [:]
            var flat: (se: [Double], ll: [Double], cov: [Double]) = ([], [], [])
            var weather: (ll: [Double], cov: [Double]) = ([], [])
            for (stream, y) in sent {
                let t = next[stream, default: 0]
                next[stream] = t + 1
                let now = predictions[stream]![t]
                let before = t > 0 ? predictions[stream]![t - 1] : nil
                let interval = (before?["interval"] as? [String: Any])?["0.9"] as? [Double]
                if stream.hasPrefix("flat/") {
                    if let e = now["error"] as? Double {
                        let mean = before?["mean"] as? Double ?? 0
                        #expect(abs(e - (y - mean)) <= 1e-9 * max(1, abs(e)), "\(stream) t=\(t): error \(e) vs y − mean \(y - mean)")
                        flat.se.append(e * e)
                    }
                    if let before, let v = before["var"] as? Double, let mean = before["mean"] as? Double {
                        let n = before["n"] as! Int
                        let nu = Double(n - 2) - 3
                        let scale = (v * (nu - 2) / nu).squareRoot()
                        let z = (y - mean) / scale
                        let normaliser: Double = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi) - log(scale)
                        let kernel: Double = (nu + 1) / 2 * log1p(z * z / nu)
                        flat.ll.append(kernel - normaliser)
                    }
                    if let interval { flat.cov.append(interval[0] <= y && y <= interval[1] ? 1 : 0) }
                } else {
                    if let s = now["surprise"] as? Double { weather.ll.append(s) }
                    if let interval { weather.cov.append(interval[0] <= y && y <= interval[1] ? 1 : 0) }
                }
            }
            #expect(flat.ll.count > 400 && weather.cov.count > 250, "too few scored observations")
            return [
                "flat": ["mse": weighted(flat.se), "log_loss": weighted(flat.ll), "interval_coverage": weighted(flat.cov)],
                "weather": ["log_loss": weighted(weather.ll), "interval_coverage": weighted(weather.cov)],
            ]
        }
    }
}
