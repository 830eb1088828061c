/// The latency mode's check of the in-daemon histogram against end to end: per round the daemon's e2e p50 minus
/// the relay's (what decode, engine and encode add to the same sockets and loopback) next to the in-daemon p50
/// read from `/metrics` after the run; over the rounds, whether the median difference lies in the bucket of the
/// median in-daemon p50, or within one bucket width of it.
struct BenchLatencyAgreement {
    private var differences: [Double] = []
    private var relayP50: [Double] = [], daemonP50: [Double] = [], relayP90: [Double] = [], daemonP90: [Double] = []
    private var inDaemon: [BenchHistogramQuantile] = []
    /// The relay's own median receive-to-send time per round: its share of the end-to-end path inside a process.
    private var relaySpans: [Double] = []

    /// Adds one round; its line, or nil without both end-to-end medians.
    mutating func add(daemon: BenchE2EResult, relay: BenchE2EResult) -> String? {
        guard let d = daemon.percentile(0.5), let r = relay.percentile(0.5) else { return nil }
        differences.append(d - r)
        daemonP50.append(d)
        relayP50.append(r)
        if let d90 = daemon.percentile(0.9), let r90 = relay.percentile(0.9) {
            daemonP90.append(d90)
            relayP90.append(r90)
        }
        var line = "latency agreement: relay p50 \(Self.us(r)), daemon p50 \(Self.us(d)), daemon − relay \(Self.us(d - r))"
        if let q = daemon.inDaemonMedian {
            inDaemon.append(q)
            line += "; in-daemon p50 \(Self.us(q.value)) in bucket \(Self.bucket(q)) (\(Int(q.count)) samples)"
        }
        if let span = relay.relaySpan {
            relaySpans.append(span)
            line += "; relay receive-to-send p50 \(Self.us(span))"
        }
        if let batch = daemon.meanBatch { line += "; mean poll batch \(format(batch, 2)) messages" }
        return line
    }

    /// The medians over the rounds and the verdict.
    func summary() -> [String] {
        guard !differences.isEmpty else { return [] }
        let difference = benchMedian(differences)
        var lines = ["latency agreement over \(differences.count) round(s), medians: relay p50 \(Self.us(benchMedian(relayP50))) "
            + "p90 \(Self.us(benchMedian(relayP90))), daemon p50 \(Self.us(benchMedian(daemonP50))) p90 \(Self.us(benchMedian(daemonP90))); "
            + "daemon − relay p50 \(Self.us(difference)) (range \(Self.us(differences.min()!))–\(Self.us(differences.max()!)))"
            + (relaySpans.isEmpty ? "" : "; relay receive-to-send p50 \(Self.us(benchMedian(relaySpans)))")]
        guard !inDaemon.isEmpty else { return lines }
        let sorted = inDaemon.sorted { $0.value < $1.value }
        let middle = sorted[(sorted.count - 1) / 2]
        lines.append("  in-daemon p50 (median round) \(Self.us(middle.value)) in bucket \(Self.bucket(middle)), width \(Self.us(middle.width)) "
            + "(rounds \(Self.us(sorted.first!.value))–\(Self.us(sorted.last!.value))); daemon − relay \(Self.us(difference)) − in-daemon p50 = "
            + "\(Self.us(difference - middle.value))")
        lines.append(Self.verdict(difference: difference, inDaemon: middle))
        return lines
    }

    /// The target's line: whether `difference` lies in the in-daemon median's bucket, or within one bucket width of it.
    static func verdict(difference: Double, inDaemon middle: BenchHistogramQuantile) -> String {
        let inside = difference > middle.lower && difference <= middle.upper
        let near = difference > middle.lower - middle.width && difference <= middle.upper + middle.width
        return "  target in-daemon p50 = e2e daemon − relay within the bucket width: "
            + (inside ? "MET (inside the bucket)" : near ? "MET (within one bucket width of it)" : "NOT MET")
    }

    static func us(_ seconds: Double) -> String { "\(format(seconds * 1e6, 2)) µs" }

    static func bucket(_ q: BenchHistogramQuantile) -> String {
        "(\(format(q.lower * 1e6, 2)), \(format(q.upper * 1e6, 2))] µs"
    }
}
