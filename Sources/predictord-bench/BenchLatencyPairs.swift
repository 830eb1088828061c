/// The check of the in-daemon latency histogram with `e2e --modes latency --paired`: every observation's daemon
/// latency minus the relay latency of its twin sent half a period apart; the rounds' medians of these differences
/// against the in-daemon p50 read from `/metrics`.
struct BenchLatencyPairs {
    /// One round: the differences of the messages both sides answered, and what the daemon and relay reported.
    struct Round {
        var differences: [Double] = []
        var daemon: [Double] = []
        var relay: [Double] = []
        /// Send times (CLOCK_MONOTONIC s) of each pair's two messages.
        var sentToDaemon: [Double] = []
        var sentToRelay: [Double] = []
        /// Messages sent to both sides of which at least one reply is missing.
        var unpaired = 0
        var inDaemon: BenchHistogramQuantile?
        var relaySpan: Double?

        /// Pairs message i's daemon reply with its relay reply by their echoed send times.
        init(sent: BenchPairedLoad.Sent, heard: BenchPairedLoad.Heard, inDaemon: BenchHistogramQuantile?, relaySpan: Double?) {
            func arrivals(_ replies: [(ts: Double, arrival: Double)]) -> [UInt64: Double] {
                Dictionary(replies.map { ($0.ts.bitPattern, $0.arrival) }, uniquingKeysWith: { first, _ in first })
            }
            let daemonArrivals = arrivals(heard.daemon), relayArrivals = arrivals(heard.relay)
            for (toDaemon, toRelay) in zip(sent.daemon, sent.relay) {
                guard let a = daemonArrivals[toDaemon.bitPattern], let b = relayArrivals[toRelay.bitPattern] else { unpaired += 1; continue }
                sentToDaemon.append(toDaemon)
                sentToRelay.append(toRelay)
                daemon.append(a - toDaemon)
                relay.append(b - toRelay)
                differences.append((a - toDaemon) - (b - toRelay))
            }
            self.inDaemon = inDaemon
            self.relaySpan = relaySpan
        }
    }

    private(set) var rounds: [Round] = []

    /// Adds a round and returns its line.
    mutating func add(_ round: Round) -> String {
        rounds.append(round)
        var line = "paired latency: \(round.differences.count) pairs (\(round.unpaired) unpaired)"
        if !round.differences.isEmpty {
            line += "; relay p50 \(us(benchMedian(round.relay))), daemon p50 \(us(benchMedian(round.daemon))), "
                + "median of daemon − relay per message \(us(benchMedian(round.differences)))"
        }
        if let q = round.inDaemon { line += "; in-daemon p50 \(us(q.value)) in bucket \(BenchLatencyAgreement.bucket(q)) (\(Int(q.count)) samples)" }
        if let span = round.relaySpan { line += "; relay receive-to-send p50 \(us(span))" }
        return line
    }

    /// The estimate: the mean over rounds of each round's median difference, with a 95 % interval over the rounds
    /// (fresh processes each, so independent; within a round the messages are not: how the threads of that run
    /// were placed on the CPUs moves all of its latencies), against the median round's in-daemon p50.
    func summary() -> [String] {
        let medians = rounds.filter { !$0.differences.isEmpty }.map { benchMedian($0.differences) }
        guard !medians.isEmpty else { return ["paired latency: no pairs"] }
        let estimate = benchMeanInterval(medians) ?? (medians[0], -.infinity, .infinity)
        let pairs = rounds.map(\.differences.count).reduce(0, +)
        var lines = ["paired latency over \(rounds.count) round(s), \(pairs) pairs (\(rounds.map(\.unpaired).reduce(0, +)) unpaired): "
            + "daemon − relay per message, mean of the round medians \(us(estimate.mean)), "
            + (medians.count >= 2 ? "95 % interval \(us(estimate.lower))–\(us(estimate.upper)) " : "no interval from one round ")
            + "(round medians \(us(medians.min()!))–\(us(medians.max()!))); pooled median \(us(benchMedian(rounds.flatMap(\.differences)))); "
            + "pooled p50 relay \(us(benchMedian(rounds.flatMap(\.relay)))), daemon \(us(benchMedian(rounds.flatMap(\.daemon))))"]
        let spans = rounds.compactMap(\.relaySpan)
        if !spans.isEmpty { lines[0] += "; relay receive-to-send p50 \(us(benchMedian(spans)))" }
        let inDaemon = rounds.compactMap(\.inDaemon).sorted { $0.value < $1.value }
        guard !inDaemon.isEmpty else { return lines }
        let middle = inDaemon[(inDaemon.count - 1) / 2]
        lines.append("  in-daemon p50 (median round) \(us(middle.value)) in bucket \(BenchLatencyAgreement.bucket(middle)), width \(us(middle.width)) "
            + "(rounds \(us(inDaemon.first!.value))–\(us(inDaemon.last!.value))); paired estimate − in-daemon p50 = \(us(estimate.mean - middle.value))")
        let (near, far) = (middle.lower - middle.width, middle.upper + middle.width)
        let placement = estimate.lower > near && estimate.upper <= far ? "within"
            : estimate.lower > far || estimate.upper <= near ? "entirely beyond" : "partly beyond"
        lines.append(BenchLatencyAgreement.verdict(difference: estimate.mean, inDaemon: middle)
            + (medians.count >= 2 ? "; the 95 % interval lies \(placement) one bucket width of the bucket" : ""))
        return lines
    }

    /// Every pair as CSV (`--pairs-file`): round, daemon send time, relay send time, daemon latency, relay latency (s).
    var csv: String {
        var text = "round,sent_daemon,sent_relay,latency_daemon,latency_relay\n"
        for (r, round) in rounds.enumerated() {
            for k in round.differences.indices {
                text += "\(r + 1),\(round.sentToDaemon[k]),\(round.sentToRelay[k]),\(round.daemon[k]),\(round.relay[k])\n"
            }
        }
        return text
    }

    private func us(_ seconds: Double) -> String { BenchLatencyAgreement.us(seconds) }
}
