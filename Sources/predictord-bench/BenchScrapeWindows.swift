import Foundation
import PredictorCore

/// Mode scrape-windows of `predictord-bench e2e`: one saturated daemon run (HTTP on throughout) cut into windows of
/// equal length, scraped every `interval` seconds in the "on" windows only, in the order on, off, off, on, … (ABBA,
/// so that a linear drift cancels); each adjacent on/off pair is one ratio of replies, taken seconds apart on the
/// same process, where separate runs differ by the machine's drift and by each process's start.
struct BenchScrapeWindows {
    let windowSeconds: Double
    let count: Int
    let interval: Double
    /// Replies received at each window boundary (count + 1 values after a complete run).
    private(set) var boundaries: [Int] = []
    private(set) var scrapes = 0, failures = 0

    /// Whether window k is scraped.
    static func isOn(_ k: Int) -> Bool { k % 4 == 0 || k % 4 == 3 }

    /// Follows the schedule from `origin` (monotonic seconds): reads `received` at every boundary, scrapes in the on
    /// windows at half an interval into the window and every interval after it; returns early when `abort` is true.
    mutating func run(origin: Double, received: () -> Int, scrape: () -> Bool, abort: () -> Bool) {
        BenchClock.sleep(until: origin)
        boundaries = [received()]
        for k in 0..<count {
            let start = origin + Double(k) * windowSeconds, end = start + windowSeconds
            if Self.isOn(k) {
                var t = start + interval / 2
                while t < end {
                    BenchClock.sleep(until: t)
                    if abort() { return }
                    if scrape() { scrapes += 1 } else { failures += 1 }
                    t += interval
                }
            }
            BenchClock.sleep(until: end)
            if abort() { return }
            boundaries.append(received())
        }
    }

    /// Replies received in each complete window.
    var replies: [Int] { zip(boundaries.dropFirst(), boundaries).map { $0 - $1 } }

    /// Replies of each pair's on window over its off window (windows of equal length).
    var ratios: [Double] {
        let replies = replies.map(Double.init)
        return stride(from: 0, to: replies.count - 1, by: 2).map { k in
            Self.isOn(k) ? replies[k] / replies[k + 1] : replies[k + 1] / replies[k]
        }
    }

    /// The geometric mean of the pairs' ratios with its 95 % interval (Student-t on the log ratios), or nil with
    /// fewer than two pairs.
    var meanRatio: (mean: Double, lower: Double, upper: Double)? {
        guard let m = benchMeanInterval(ratios.filter { $0 > 0 && $0.isFinite }.map { Foundation.log($0) }) else { return nil }
        return (Foundation.exp(m.mean), Foundation.exp(m.lower), Foundation.exp(m.upper))
    }

    /// The report: pairs, the median and geometric-mean ratio with its interval, and the verdict on the < 2 % target
    /// (met only when the whole interval lies at or above 0.98).
    func summary() -> [String] {
        let r = ratios
        guard let m = meanRatio, !r.isEmpty else { return ["scrape windows: fewer than two complete pairs; no verdict"] }
        let replies = replies
        let perSecond = replies.map { Double($0) / windowSeconds }
        return [
            "scrape windows: \(r.count) on/off pairs of \(format(windowSeconds, 1)) s windows, \(scrapes) scrapes (\(failures) failed); "
                + "window rates \(Int(perSecond.min()!))–\(Int(perSecond.max()!)) /s, median \(Int(benchMedian(perSecond))) /s",
            "scrape windows: ratio on/off median \(format(benchMedian(r), 4)) (range \(format(r.min()!, 3))–\(format(r.max()!, 3))); "
                + "geometric mean \(format(m.mean, 4)), 95 % interval \(format(m.lower, 4))–\(format(m.upper, 4))",
            replies.count <= 64
                ? "scrape windows: replies per window, in order (on windows marked *): "
                    + replies.enumerated().map { "\($0.element)\(Self.isOn($0.offset) ? "*" : "")" }.joined(separator: " ")
                : "scrape windows: pairs' ratios by decile: "
                    + (0...10).map { format(r.sorted()[min(r.count - 1, $0 * r.count / 10)], 3) }.joined(separator: " "),
            "  target loss < 2 %: \(m.lower >= 0.98 ? "MET" : "NOT MET") (the interval's lower end \(format(m.lower, 4)) against 0.98)",
        ]
    }
}
