import Foundation
import PredictordTestSupport
import Testing

extension DaemonTests {
    /// `predictord-bench e2e --modes latency --paired` in miniature: every message reaches both sides, each pair's
    /// two sends lie half a period apart, the daemon's first, and the printed estimate (the mean of the
    /// rounds' median differences), its interval, the pooled median and the verdict equal those recomputed here
    /// from the pairs the tool wrote.
    @Suite("paired latency tool")
    struct PairedLatencyTool {
        @Test("2 rounds of 2 s at 500 obs/s: 2000 pairs, sends half a period apart, estimate, interval and verdict recomputed")
        func pairsAndTheirMedian() throws {
            let directory = try Harness.temporaryDirectory("paired-latency")
            defer { try? FileManager.default.removeItem(at: directory) }
            let csvURL = directory.appendingPathComponent("pairs.csv")
            let result = try Harness.runTool(
                ["e2e", "--modes", "latency", "--paired", "--seconds", "2", "--latency-rate", "500", "--rounds", "2",
                 "--streams", "10", "--pairs-file", csvURL.path],
                executable: BuiltExecutable.predictordBench, in: directory, timeout: 120, environment: ["TMPDIR": directory.path])
            let output = String(decoding: result.stdout, as: UTF8.self) + result.stderr
            try #require(result.status == 0, "\(output)")
            #expect(output.contains("paired latency over 2 round(s), 2000 pairs (0 unpaired)"), "\(output)")

            let rows = try String(contentsOf: csvURL, encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",").map { Double(String($0))! } }
            try #require(rows.count == 2000, "\(rows.count) rows")
            let period = 1.0 / 500
            for round in [1.0, 2.0] {
                let own = rows.filter { $0[0] == round }
                try #require(own.count == 1000)
                var gaps: [Double] = []
                for (k, row) in own.enumerated() {
                    // Message k goes to the daemon first and to the relay half a period later, before message k + 1:
                    // a pair made of two different messages breaks this order.
                    let next = k + 1 < own.count ? own[k + 1][1] : .infinity
                    #expect(row[1] < row[2] && row[2] < next, "round \(round), pair \(k): sends \(row[1]), \(row[2]), next \(next)")
                    #expect(row[3] > 0 && row[3] < 1 && row[4] > 0 && row[4] < 1, "round \(round), pair \(k): latencies \(row[3]), \(row[4])")
                    gaps.append(row[2] - row[1])
                }
                // Half a period apart, give or take the sleeps' lateness (the median is robust to a loaded machine).
                let gap = gaps.sorted()[gaps.count / 2]
                #expect(abs(gap - period / 2) < period / 4, "round \(round): median gap \(gap) s, half a period is \(period / 2) s")
            }

            // The estimate: the mean of the two rounds' median differences, with its Student-t interval (1 degree of freedom).
            func median(_ values: [Double]) -> Double {
                let v = values.sorted()
                return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            }
            let medians = [1.0, 2.0].map { round in median(rows.filter { $0[0] == round }.map { $0[3] - $0[4] }) }
            let mean = (medians[0] + medians[1]) / 2
            let sd = ((medians[0] - mean) * (medians[0] - mean) + (medians[1] - mean) * (medians[1] - mean)).squareRoot()
            let t1 = 12.706204736174698  // Student-t 0.975 quantile, 1 degree of freedom
            let expected = [mean, mean - t1 * sd / 2.0.squareRoot(), mean + t1 * sd / 2.0.squareRoot(), median(rows.map { $0[3] - $0[4] })]
            let summary = try #require(output.split(separator: "\n").first { $0.contains("mean of the round medians") }, "\(output)")
            func micros(after key: String) throws -> Double {
                let rest = try #require(summary.components(separatedBy: key).dropFirst().first, "\(summary)")
                return try #require(Double(String(rest.prefix { $0 != " " })), "\(summary)")
            }
            let printed = [try micros(after: "mean of the round medians "), try micros(after: "95 % interval "),
                           try micros(after: " µs–"), try micros(after: "pooled median ")]
            for (p, e) in zip(printed, expected) {
                // Printed in µs with two decimals.
                #expect(abs(p - e * 1e6) <= 0.0051 + 5e-5 * abs(e * 1e6), "printed \(p) µs, recomputed \(e * 1e6) µs: \(summary)")
            }

            // "in-daemon p50 (median round) V µs in bucket (L, U] µs, width W µs"; the verdict follows from the estimate.
            let bucketLine = try #require(output.split(separator: "\n").first { $0.contains("in-daemon p50 (median round)") }, "\(output)")
            let bucket = bucketLine.components(separatedBy: "in bucket (")[1].prefix { $0 != "]" }.split(separator: ",")
                .map { Double($0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " µs", with: ""))! }
            try #require(bucket.count == 2 && bucket[0] < bucket[1], "\(bucketLine)")
            let (lower, upper) = (bucket[0] * 1e-6, bucket[1] * 1e-6), width = upper - lower
            let inside = mean > lower && mean <= upper
            let near = mean > lower - width && mean <= upper + width
            let verdict = inside ? "MET (inside the bucket)" : near ? "MET (within one bucket width of it)" : "NOT MET"
            #expect(output.contains("within the bucket width: \(verdict)"), "recomputed \(verdict): \(output)")
        }
    }
}
