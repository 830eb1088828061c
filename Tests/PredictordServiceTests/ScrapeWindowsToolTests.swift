import Foundation
import PredictordTestSupport
import Testing

extension DaemonTests {
    /// `predictord-bench e2e --modes scrape-windows` in miniature (the real run is 50 minutes, outside CI): the windows
    /// are scraped in the order on, off, off, on, …, one scrape per on window, nothing is lost, and the printed
    /// median, geometric mean and 95 % interval equal those recomputed here from the printed replies per window.
    @Suite("scrape-windows tool")
    struct ScrapeWindowsTool {
        @Test("8 windows of 1 s: ABBA order, 4 scrapes, none lost; the pairs' statistics recomputed from the per-window replies")
        func windowsAndTheirStatistics() throws {
            let directory = try Harness.temporaryDirectory("scrape-windows")
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try Harness.runTool(
                ["e2e", "--modes", "scrape-windows", "--seconds", "11", "--window-seconds", "1", "--streams", "100"],
                executable: BuiltExecutable.predictordBench, in: directory, timeout: 120, environment: ["TMPDIR": directory.path])
            let output = String(decoding: result.stdout, as: UTF8.self) + result.stderr
            try #require(result.status == 0, "\(output)")
            #expect(output.contains("; lost 0"), "\(output)")
            #expect(output.contains("scrape windows: 4 on/off pairs of 1.0 s windows, 4 scrapes (0 failed)"), "\(output)")

            let marker = "replies per window, in order (on windows marked *): "
            let line = try #require(output.split(separator: "\n").first { $0.contains(marker) }, "\(output)")
            let cells = line.components(separatedBy: marker)[1].split(separator: " ")
            try #require(cells.count == 8, "\(line)")
            #expect(cells.map { $0.hasSuffix("*") } == [true, false, false, true, true, false, false, true], "\(line)")
            let replies = try cells.map { try #require(Double(String($0.filter(\.isNumber))), "\(line)") }
            #expect(replies.allSatisfy { $0 > 0 }, "\(line)")

            // Pairs (0,1), (2,3), (4,5), (6,7); on over off.
            let ratios = [replies[0] / replies[1], replies[3] / replies[2], replies[4] / replies[5], replies[7] / replies[6]]
            let sorted = ratios.sorted(), median = (sorted[1] + sorted[2]) / 2
            let logs = ratios.map { Foundation.log($0) }, mean = logs.reduce(0, +) / 4
            let sd = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
            let t3 = 3.182446305284263  // Student-t 0.975 quantile, 3 degrees of freedom
            let expected = [median, Foundation.exp(mean), Foundation.exp(mean - t3 * sd / 2), Foundation.exp(mean + t3 * sd / 2)]

            let stats = try #require(output.split(separator: "\n").first { $0.contains("ratio on/off median") }, "\(output)")
            // "… median M (range a–b); geometric mean G, 95 % interval L–U"
            func number(after key: String, until end: Character) throws -> Double {
                let rest = try #require(stats.components(separatedBy: key).dropFirst().first, "\(stats)")
                return try #require(Double(String(rest.prefix { $0 != end })), "\(stats)")
            }
            // The interval's upper end is what follows the line's last dash (the first one is the range's).
            let upper = try #require(Double(stats.split(separator: "–").last.map(String.init) ?? ""), "\(stats)")
            let printed = [try number(after: "median ", until: " "), try number(after: "geometric mean ", until: ","),
                           try number(after: "95 % interval ", until: "–"), upper]
            for (p, e) in zip(printed, expected) {
                #expect(abs(p - e) <= 5.1e-5 * max(1, abs(e)), "printed \(p), recomputed \(e): \(stats)")
            }
            #expect(output.contains("target loss < 2 %: \(expected[2] >= 0.98 ? "MET" : "NOT MET")"), "\(output)")
        }
    }
}
