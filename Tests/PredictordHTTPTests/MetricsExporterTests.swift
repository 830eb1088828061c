import Foundation
@testable import PredictordHTTP
import PredictorEngine
import PredictordTelemetry
import PredictordTestSupport
import Testing

/// The exporter's bookkeeping: histograms rebuilt from bucket counts and sums must equal the samples counted
/// directly (every bucket, the count, the sum), counters follow cumulative totals across scrapes.
@Suite struct MetricsExporterTests {
    /// `name{labels} value` lines of an exposition, by series.
    static func parse(_ bytes: [UInt8]) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            out[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return out
    }

    @Test func latencyHistogramIsExactAcrossScrapes() {
        var rng = SplitMix64(seed: 99)
        let exporter = MetricsExporter(version: "test")
        var snapshot = TelemetrySnapshot()
        snapshot.modelNames = ["m"]
        snapshot.counters = EngineCounters(modelCount: 1)
        var histogram = BucketHistogram.latency
        var samples: [Int64] = []
        for batch in 0..<3 {
            for _ in 0..<(1000 * (batch + 1)) {
                // Log-uniform from 100 ns to 2 s, and some exactly on bucket bounds.
                let v = rng.next() % 10 == 0 ? BucketHistogram.latencyBoundsNanos[Int(rng.next() % UInt64(BucketHistogram.latencyBoundsNanos.count))]
                    : Int64(100 * pow(2e7, rng.unit()))
                samples.append(v)
                histogram.record(v)
            }
            snapshot.latency = [histogram]
            let series = Self.parse(exporter.scrape(snapshot, checkpoint: CheckpointTelemetry(), residentBytes: nil, now: 0))
            #expect(series["predictord_latency_seconds_count{model=\"m\"}"] == Double(samples.count))
            let sum = samples.reduce(0, +)
            let got = series["predictord_latency_seconds_sum{model=\"m\"}"] ?? -1
            #expect(abs(got - Double(sum) / 1e9) <= 1e-9 * Double(sum) / 1e9, "sum \(got) vs \(Double(sum) / 1e9)")
            let prefix = "predictord_latency_seconds_bucket{model=\"m\",le=\""
            let buckets = series.filter { $0.key.hasPrefix(prefix) && !$0.key.contains("+Inf") }
            #expect(buckets.count == BucketHistogram.latencyBoundsNanos.count)
            for (key, value) in buckets {
                let bound = Int64((Double(key.dropFirst(prefix.count).dropLast(2))! * 1e9).rounded())
                #expect(BucketHistogram.latencyBoundsNanos.contains(bound), "\(key)")
                #expect(value == Double(samples.filter { $0 <= bound }.count), "\(key)")
            }
            #expect(series["predictord_latency_seconds_bucket{model=\"m\",le=\"+Inf\"}"] == Double(samples.count))
        }
    }

    @Test func pollBatchHistogramHasTheBatchBucketsAndExactCounts() {
        let exporter = MetricsExporter(version: "test")
        var snapshot = TelemetrySnapshot()
        let sizes: [Int64] = [1, 1, 1, 2, 3, 5, 64, 65, 700, 9_000, 10_000]
        for size in sizes { snapshot.pollBatches.record(size) }
        snapshot.pollBudgetExhausted = 2
        let series = Self.parse(exporter.scrape(snapshot, checkpoint: CheckpointTelemetry(), residentBytes: nil, now: 0))
        let prefix = "predictord_poll_batch_messages_bucket{le=\""
        let buckets = series.filter { $0.key.hasPrefix(prefix) && !$0.key.contains("+Inf") }
        #expect(buckets.count == BucketHistogram.batchBounds.count)
        for (key, value) in buckets {
            let bound = Double(key.dropFirst(prefix.count).dropLast(2))!
            #expect(BucketHistogram.batchBounds.contains(Int64(bound)), "\(key)")
            #expect(value == Double(sizes.filter { Double($0) <= bound }.count), "\(key)")
        }
        #expect(series["predictord_poll_batch_messages_count"] == Double(sizes.count))
        #expect(series["predictord_poll_batch_messages_sum"] == Double(sizes.reduce(0, +)))
        #expect(series["predictord_poll_budget_exhausted_total"] == 2)
    }

    /// Every family the exporter renders is in docs/operations.md's metrics table, and so is every metric the
    /// Grafana dashboard queries (histogram series by their family).
    @Test func renderedAndDashboardMetricsAreDocumented() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs").standardized
        let operations = try String(contentsOf: docs.appendingPathComponent("operations.md"), encoding: .utf8)
        let dashboard = try String(contentsOf: docs.appendingPathComponent("grafana-dashboard.json"), encoding: .utf8)
        func families(_ text: String) -> Set<String> {
            Set(text.matches(of: /predictord_[a-z_]+/).map { m in
                var name = String(m.output)
                for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) && !name.hasSuffix("_total") {
                    name = String(name.dropLast(suffix.count))
                }
                return name
            })
        }
        let documented = families(operations)
        var snapshot = TelemetrySnapshot()
        snapshot.modelNames = ["m"]
        snapshot.counters = EngineCounters(modelCount: 1)
        snapshot.latency = [.latency]
        var checkpoint = CheckpointTelemetry()
        checkpoint.lastSuccess = 1
        let rendered = families(String(decoding: MetricsExporter(version: "t").scrape(snapshot, checkpoint: checkpoint, residentBytes: 1, now: 2), as: UTF8.self))
        #expect(rendered.contains("predictord_poll_batch_messages"))
        #expect(rendered.subtracting(documented).isEmpty, "rendered, not documented: \(rendered.subtracting(documented).sorted())")
        let queried = families(dashboard)
        #expect(queried.contains("predictord_poll_batch_messages"))
        #expect(queried.subtracting(documented).isEmpty, "in the dashboard, not documented: \(queried.subtracting(documented).sorted())")
    }

    @Test func countersFollowTotalsAndRestartFromZeroWhenTheyGoBack() {
        let exporter = MetricsExporter(version: "1.2.3")
        var snapshot = TelemetrySnapshot()
        func scrape(_ observations: UInt64, drops: [String: UInt64]) -> [String: Double] {
            snapshot.counters.observations = observations
            snapshot.counters.drops = drops
            return Self.parse(exporter.scrape(snapshot, checkpoint: CheckpointTelemetry(), residentBytes: 4096, now: 0))
        }
        var s = scrape(5, drops: ["bad_frames": 2])
        #expect(s["predictord_observations_total"] == 5 && s["predictord_dropped_total{reason=\"bad_frames\"}"] == 2)
        #expect(s["predictord_build_info{version=\"1.2.3\"}"] == 1 && s["predictord_resident_memory_bytes"] == 4096)
        #expect(s["predictord_checkpoint_age_seconds"] == nil, "no checkpoint yet: no age")
        s = scrape(12, drops: ["bad_frames": 2, "oversized": 1])
        #expect(s["predictord_observations_total"] == 12 && s["predictord_dropped_total{reason=\"oversized\"}"] == 1)
        s = scrape(3, drops: [:])
        #expect(s["predictord_observations_total"] == 15, "a total that went back counts from zero")
    }
}
