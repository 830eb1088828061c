import Foundation
import PredictorCore
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

extension BenchE2ECommand {
    /// One round of `--paired`: a daemon (every message timed, `/metrics` read once after the traffic) and a relay
    /// (`--time-messages`) run at the same time on the same paced observations (`BenchPairedLoad`). Tried up to
    /// three times: a port picked for one child (bound and released) can be taken before the child binds it.
    func pairedRound(traffic: BenchTraffic, rate: Double, seconds: Double, temp: URL, tag: String, hmm: HMMParameters) throws -> BenchLatencyPairs.Round {
        try retried(tag) { try pairedRoundOnce(traffic: traffic, rate: rate, seconds: seconds, temp: temp, tag: $0, hmm: hmm) }
    }

    private func pairedRoundOnce(traffic: BenchTraffic, rate: Double, seconds: Double, temp: URL, tag: String, hmm: HMMParameters) throws -> BenchLatencyPairs.Round {
        let daemonSide = try start(.daemon(model: model, hmm: hmm, journal: journal, http: true, scraping: false), temp: temp, tag: tag, recordLatency: true)
        defer { if daemonSide.child.isRunning { daemonSide.child.stop(timeout: 5) } }
        let relaySide = try start(.relay, temp: temp, tag: tag, recordLatency: true)
        defer { if relaySide.child.isRunning { relaySide.child.stop(timeout: 5) } }

        let context = try ZMQContext()
        let daemonIn = daemonSide.input, daemonOut = daemonSide.output, relayIn = relaySide.input, relayOut = relaySide.output
        let daemonShared = BenchShared(), relayShared = BenchShared()
        let heard = BenchSlot(BenchPairedLoad.Heard()), sent = BenchSlot(BenchPairedLoad.Sent())
        let subscriber = try BenchThread {
            heard.value = BenchPairedLoad.subscribe(context: context, daemonEndpoint: daemonOut, relayEndpoint: relayOut,
                                                    traffic: traffic, daemon: daemonShared, relay: relayShared)
        }
        let publisher = try BenchThread {
            sent.value = BenchPairedLoad.publish(context: context, daemonEndpoint: daemonIn, relayEndpoint: relayIn,
                                                 traffic: traffic, rate: rate, seconds: seconds, daemon: daemonShared, relay: relayShared)
        }
        while !daemonShared.publisherDone.load(ordering: .acquiring) {
            if !daemonSide.child.isRunning || !relaySide.child.isRunning { daemonShared.abort.store(true, ordering: .relaxed) }
            usleep(20_000)
        }
        publisher.join()
        subscriber.join()
        // The histogram once every prediction is in.
        usleep(400_000)
        daemonSide.scraper?.scrapeOnce()
        let inDaemon = daemonSide.scraper.flatMap { BenchScraper.quantile(0.5, $0.last, model: "bench") }
        for side in [daemonSide, relaySide] where side.child.isRunning { _ = side.child.stop() }
        if let failure = sent.value.failure ?? heard.value.failure {
            throw BenchE2EError("paired \(tag): \(failure)\n--- \(daemonSide.child.logURL.path) ---\n\(daemonSide.child.log.suffix(3000))")
        }
        if daemonShared.abort.load(ordering: .relaxed) {
            throw BenchE2EError("paired \(tag): a child exited early\n--- \(daemonSide.child.logURL.path) ---\n\(daemonSide.child.log.suffix(3000))"
                + "\n--- \(relaySide.child.logURL.path) ---\n\(relaySide.child.log.suffix(1000))")
        }
        return BenchLatencyPairs.Round(sent: sent.value, heard: heard.value, inDaemon: inDaemon, relaySpan: relaySide.relaySpan)
    }
}
