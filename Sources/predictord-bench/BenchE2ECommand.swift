import ArgumentParser
import Foundation
import PredictorCore
import PredictorEngine
import ZeroMQ

/// `predictord-bench e2e`: the daemon end to end over loopback ZeroMQ — throughput against a do-nothing relay,
/// latency at a paced rate, and resident memory per context. Spawns `predictord run` / `predictord-bench relay` children.
struct BenchE2ECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "End-to-end benchmark: a real `predictord run` child vs `predictord-bench relay` over loopback (release build).",
        discussion: """
        throughput: a publisher thread sends binary v1 observations round-robin over --streams streams as fast as
        possible (at most --window unanswered) for --seconds, a subscriber thread counts the predictions; then the
        same traffic goes through `predictord-bench relay`. latency: --latency-rate observations/s, each stamped with its
        send time (CLOCK_MONOTONIC), latency from the echoed ts. rss: one observation on each of --contexts new rls
        streams, then VmRSS/VmHWM of the daemon. journal: the throughput measurement with state.journal off, write
        and fsync in each round (order rotated), and the ratios write/off and fsync/off. Lost messages (sent, never
        answered) are reported, never hidden.
        """
    )

    enum Model: String, ExpressibleByArgument, CaseIterable { case rls, forward }

    @Option(help: "Streams the observations are spread over (round robin).")
    var streams: Int = 1000

    @Option(help: "Seconds of traffic per throughput and latency measurement.")
    var seconds: Double = 5

    @Option(help: "Model of the daemon: rls (p=4 lags, series) or forward (d=4 states, m=4 symbols).")
    var model: Model = .rls

    @Option(help: "Observations/s of the latency measurement.")
    var latencyRate: Double = 10_000

    @Option(help: "Distinct rls p=4 streams of the memory measurement (0 = skip it).")
    var contexts: Int = 1_000_000

    @Option(help: "Most unanswered messages in flight during throughput and memory runs (0 = no limit).")
    var window: Int = 20_000

    @Option(help: "Daemon/relay pairs per throughput and latency measurement, run alternately (the order flips each round) so drifting machine load hits both; targets are judged on the median round.")
    var rounds: Int = 3

    @Option(help: "Seconds between /metrics scrapes with --http and in mode scrape (a value beyond --seconds: HTTP on, no scrape during the traffic).")
    var scrapeInterval: Double = 1

    @Flag(help: "Run the daemon with http.listen and scrape /metrics every second (throughput and latency modes); the latency mode then also prints the in-daemon latency histogram's median bucket.")
    var http = false

    enum ScrapeBaseline: String, ExpressibleByArgument, CaseIterable { case off, http }

    @Option(help: "Mode scrape: what the scraped daemon is compared with: off (no http.listen) or http (http.listen on, not scraped during the traffic).")
    var scrapeBaseline: ScrapeBaseline = .off

    @Option(help: "Mode scrape-windows: seconds per window (one daemon run of --seconds, windows scraped or not in the order on, off, off, on, …).")
    var windowSeconds: Double = 2

    @Flag(help: "Mode scrape-windows: do nothing in the on windows (an A/A run: the design's own bias and spread).")
    var windowsControl = false

    @Flag(help: "Latency mode: run the daemon and the relay at the same time, each with its own publisher and subscriber at --latency-rate, instead of one after the other, so that both see the same machine load.")
    var concurrent = false

    @Flag(help: "Latency mode: one publisher sends each observation to the daemon and, half a period later, to the relay, one subscriber hears both, and the in-daemon p50 is compared with the mean of the rounds' median per-message differences, with its 95 % interval over rounds (the daemon always runs with http.listen).")
    var paired = false

    @Option(help: ArgumentHelp("With --paired: write every pair (round, send times, latencies in s) as CSV to this file.", valueName: "PATH"))
    var pairsFile: String?

    @Option(help: "Measurements to run, comma separated: throughput, latency, rss, journal (state.journal off against write and fsync, alternated), scrape (daemon without HTTP against the daemon with a /metrics scrape every second, alternated), scrape-windows (one daemon with HTTP, windows with and without a scrape every second, paired).")
    var modes: String = "throughput,latency,rss"

    @Option(help: "state.journal of the daemon in the throughput, latency and rss measurements: off, write or fsync.")
    var journal: String = "off"

    @Flag(help: "Keep the temporary directory (configs, logs, checkpoints).")
    var keepTemp = false

    @Option(help: ArgumentHelp("The predictord executable to measure (default: predictord next to this predictord-bench).", valueName: "PATH"))
    var daemon: String?

    @Option(help: ArgumentHelp("Command prefix for the children, for profiling (e.g. \"valgrind --tool=callgrind\").", visibility: .hidden))
    var childWrapper: String?

    func validate() throws {
        guard streams >= 1, streams <= 9_999_999 else { throw ValidationError("--streams must be 1…9999999") }
        guard contexts >= 0, contexts <= 9_999_999 else { throw ValidationError("--contexts must be 0…9999999") }
        guard rounds >= 1, rounds <= 1000 else { throw ValidationError("--rounds must be 1…1000") }
        guard seconds > 0, latencyRate > 0, window >= 0 else { throw ValidationError("--seconds and --latency-rate must be > 0, --window ≥ 0") }
        let known: Set<String> = ["throughput", "latency", "rss", "journal", "scrape", "scrape-windows"]
        for m in selectedModes where !known.contains(m) { throw ValidationError("unknown mode '\(m)'; use throughput, latency, rss, journal, scrape, scrape-windows") }
        guard !selectedModes.contains("scrape-windows") || (windowSeconds >= scrapeInterval && seconds >= 4 * windowSeconds + 3) else {
            throw ValidationError("mode scrape-windows needs --window-seconds ≥ --scrape-interval and --seconds ≥ 4 × --window-seconds + 3")
        }
        guard !(paired && concurrent) else { throw ValidationError("--paired and --concurrent are two ways to run the latency mode: pick one") }
        guard Self.journalModes.contains(journal) else { throw ValidationError("--journal must be off, write or fsync") }
    }

    private var selectedModes: [String] {
        modes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-bench-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        defer { if !keepTemp { try? FileManager.default.removeItem(at: temp) } }
        let selected = Set(selectedModes)
        let hmm = try BenchRandom.hmm(states: 4, symbols: 4, seed: 3)
        let symbols: [UInt32] = BenchRandom.symbols(hmm, count: 4096, seed: 4).map {
            if case let .symbol(z) = $0 { UInt32(z) } else { 0 }
        }
        let payload: BenchTraffic.Payload = model == .rls ? .series : .symbol
        let modelText = model == .rls ? "rls p=4 (lags 4, no bias)" : "forward d=4 m=4"
        print("e2e: model \(modelText), binary v1, loopback TCP, \(streams) streams; daemon \(try BenchExecutables.daemon(daemon).path), relay \(BenchExecutables.bench.path)")
        print("load average at start: \(benchLoadAverage())")

        if selected.contains("throughput") {
            let traffic = BenchTraffic(payload: payload, streams: streams, pace: .saturate(seconds: seconds, window: window), symbols: symbols)
            var ratios: [Double] = [], daemonRates: [Double] = [], relayRates: [Double] = []
            for round in 1...rounds {
                let (daemon, relay) = try pair(round: round, traffic: traffic, temp: temp, tag: "throughput", hmm: hmm)
                print(daemon.throughputLine(label: "daemon") + " [round \(round)]")
                print(relay.throughputLine(label: "relay ") + " [round \(round)]")
                ratios.append(daemon.outRate / relay.outRate)
                daemonRates.append(daemon.outRate)
                relayRates.append(relay.outRate)
                print("throughput ratio daemon/relay, round \(round): \(format(ratios.last!, 3))")
            }
            let ratio = benchMedian(ratios), rate = benchMedian(daemonRates)
            print("throughput over \(rounds) round(s): daemon median \(Int(rate)) /s (range \(Int(daemonRates.min()!))–\(Int(daemonRates.max()!))), "
                + "relay median \(Int(benchMedian(relayRates))) /s (range \(Int(relayRates.min()!))–\(Int(relayRates.max()!))); "
                + "ratio median \(format(ratio, 3)) (range \(format(ratios.min()!, 3))–\(format(ratios.max()!, 3)))")
            print("  target ≥ 500000 obs/s end to end: \(rate >= 500_000 ? "MET" : "NOT MET") (median \(Int(rate)) /s); "
                + "target ≥ 0.6 of relay: \(ratio >= 0.6 ? "MET" : "NOT MET") (median ratio \(format(ratio, 3)))")
            print("load average after throughput: \(benchLoadAverage())")
        }
        if selected.contains("latency"), paired {
            let traffic = BenchTraffic(payload: payload, streams: streams, pace: .paced(rate: latencyRate, seconds: seconds), symbols: symbols)
            var pairs = BenchLatencyPairs()
            for round in 1...rounds {
                let result = try pairedRound(traffic: traffic, rate: latencyRate, seconds: seconds, temp: temp, tag: "paired-\(round)", hmm: hmm)
                print(pairs.add(result) + " [round \(round)]")
            }
            for line in pairs.summary() { print(line) }
            if let pairsFile { try pairs.csv.write(toFile: pairsFile, atomically: true, encoding: .utf8) }
            print("load average after latency: \(benchLoadAverage())")
        } else if selected.contains("latency") {
            let traffic = BenchTraffic(payload: payload, streams: streams, pace: .paced(rate: latencyRate, seconds: seconds), symbols: symbols)
            var daemonP99: [Double] = [], relayP99: [Double] = []
            var agreement = BenchLatencyAgreement()
            for round in 1...rounds {
                let (daemon, relay) = concurrent
                    ? try concurrentPair(traffic: traffic, temp: temp, tag: "latency-\(round)", hmm: hmm)
                    : try pair(round: round, traffic: traffic, temp: temp, tag: "latency", hmm: hmm, recordLatency: true)
                print(daemon.latencyLine(label: "daemon", rate: latencyRate) + " [round \(round)]")
                print(relay.latencyLine(label: "relay ", rate: latencyRate) + " [round \(round)]")
                if let d = daemon.percentile(0.99), let r = relay.percentile(0.99) {
                    daemonP99.append(d)
                    relayP99.append(r)
                }
                if let line = agreement.add(daemon: daemon, relay: relay) { print(line + " [round \(round)]") }
            }
            for line in agreement.summary() { print(line) }
            if !daemonP99.isEmpty {
                let p99 = benchMedian(daemonP99)
                func us(_ v: Double) -> String { "\(format(v * 1e6, 1)) µs" }
                print("latency p99 over \(daemonP99.count) round(s): daemon median \(us(p99)) (range \(us(daemonP99.min()!))–\(us(daemonP99.max()!))), "
                    + "relay median \(us(benchMedian(relayP99))) (range \(us(relayP99.min()!))–\(us(relayP99.max()!)))")
                print("  target p99 < 200 µs at \(Int(latencyRate)) obs/s: \(p99 < 200e-6 ? "MET" : "NOT MET") (median round)")
            }
            print("load average after latency: \(benchLoadAverage())")
        }
        if selected.contains("journal") {
            let traffic = BenchTraffic(payload: payload, streams: streams, pace: .saturate(seconds: seconds, window: window), symbols: symbols)
            try journalComparison(traffic: traffic, temp: temp, hmm: hmm)
            print("load average after journal: \(benchLoadAverage())")
        }
        if selected.contains("scrape") {
            let traffic = BenchTraffic(payload: payload, streams: streams, pace: .saturate(seconds: seconds, window: window), symbols: symbols)
            var ratios: [Double] = [], cpuRatios: [Double] = [], pollRatios: [Double] = [], helperCost: [Double] = []
            for round in 1...rounds {
                let plain = Target.daemon(model: model, hmm: hmm, journal: journal, http: scrapeBaseline == .http, scraping: false)
                let scraped = Target.daemon(model: model, hmm: hmm, journal: journal, http: true)
                let first = try measure(round % 2 == 1 ? plain : scraped, traffic: traffic, temp: temp, tag: "scrape-\(round)a")
                let second = try measure(round % 2 == 1 ? scraped : plain, traffic: traffic, temp: temp, tag: "scrape-\(round)b")
                let (without, with) = round % 2 == 1 ? (first, second) : (second, first)
                print(without.throughputLine(label: scrapeBaseline == .http ? "daemon, http, no scrape" : "daemon without http   ") + " [round \(round)]")
                print(with.throughputLine(label: "daemon, scrape every 1s") + " [round \(round)]; \(with.scrapeText)")
                ratios.append(with.outRate / without.outRate)
                print("throughput ratio with/without scrape, round \(round): \(format(ratios.last!, 3))")
                if let a = without.cpuPerReply, let b = with.cpuPerReply {
                    cpuRatios.append(b / a)
                    print("daemon CPU per prediction without / with: \(format(a, 3)) / \(format(b, 3)) µs, ratio \(format(b / a, 3)) [round \(round)]")
                }
                if let a = without.pollCPUPerReply, let b = with.pollCPUPerReply {
                    pollRatios.append(b / a)
                    helperCost.append(with.helperCPUPerSecond - without.helperCPUPerSecond)
                    print("poll thread CPU per prediction without / with: \(format(a, 3)) / \(format(b, 3)) µs, ratio \(format(b / a, 3)); "
                        + "other threads without / with: \(format(without.helperCPUPerSecond, 1)) / \(format(with.helperCPUPerSecond, 1)) ms CPU per s [round \(round)]")
                }
            }
            let ratio = benchMedian(ratios)
            print("scrape over \(rounds) round(s): ratio with/without median \(format(ratio, 3)) (range \(format(ratios.min()!, 3))–\(format(ratios.max()!, 3)))")
            print("  target loss < 2 %: \(ratio >= 0.98 ? "MET" : "NOT MET") (median loss \(format((1 - ratio) * 100, 1)) %)")
            if !cpuRatios.isEmpty {
                print("daemon CPU per prediction with/without: median ratio \(format(benchMedian(cpuRatios), 3)) (range \(format(cpuRatios.min()!, 3))–\(format(cpuRatios.max()!, 3)))")
            }
            if !pollRatios.isEmpty {
                print("poll thread CPU per prediction with/without: median ratio \(format(benchMedian(pollRatios), 3)) (range \(format(pollRatios.min()!, 3))–\(format(pollRatios.max()!, 3))); "
                    + "CPU of the other threads, with − without: median \(format(benchMedian(helperCost), 1)) ms per s (range \(format(helperCost.min()!, 1))–\(format(helperCost.max()!, 1)))")
            }
            print("load average after scrape: \(benchLoadAverage())")
        }
        if selected.contains("scrape-windows") {
            let traffic = BenchTraffic(payload: payload, streams: streams, pace: .saturate(seconds: seconds, window: window), symbols: symbols)
            let windows = BenchScrapeWindows(windowSeconds: windowSeconds, count: Int((seconds - 3) / windowSeconds), interval: scrapeInterval)
            let run = try measure(.daemon(model: model, hmm: hmm, journal: journal, http: true, scraping: false), traffic: traffic,
                                  temp: temp, tag: "scrape-windows", windows: windows)
            print(run.throughputLine(label: "daemon, http, scraped in on windows"))
            for line in run.scrapeWindows?.summary() ?? ["scrape windows: the run ended before its windows"] { print(line) }
            print("load average after scrape-windows: \(benchLoadAverage())")
        }
        if selected.contains("rss"), contexts > 0 {
            // Always rls p=4: the issue's memory target is about rls contexts.
            let traffic = BenchTraffic(payload: .series, streams: contexts, pace: .count(contexts, window: window), symbols: symbols,
                                       drainSeconds: 10, stallSeconds: 10)
            let run = try measure(.daemon(model: .rls, hmm: hmm, journal: journal), traffic: traffic, temp: temp, tag: "rss", watchMemory: true)
            print(run.memoryLines(contexts: contexts).joined(separator: "\n"))
            print("load average after rss: \(benchLoadAverage())")
        }
    }

    static let journalModes = ["off", "write", "fsync"]

    /// Throughput of the daemon with each state.journal setting, alternated within every round (the order rotates),
    /// and the medians of write/off and fsync/off against the targets (≥ 0.8 and ≥ 0.5).
    private func journalComparison(traffic: BenchTraffic, temp: URL, hmm: HMMParameters) throws {
        var rates: [String: [Double]] = [:], ratios: [String: [Double]] = [:]
        for round in 1...rounds {
            let order = (0..<3).map { Self.journalModes[($0 + round - 1) % 3] }
            var rate: [String: Double] = [:]
            for mode in order {
                let run = try measure(.daemon(model: model, hmm: hmm, journal: mode), traffic: traffic, temp: temp, tag: "journal-\(mode)-\(round)")
                print(run.throughputLine(label: "journal \(mode)".padding(toLength: 13, withPad: " ", startingAt: 0)) + " [round \(round)]")
                rate[mode] = run.outRate
                rates[mode, default: []].append(run.outRate)
            }
            for mode in ["write", "fsync"] { ratios[mode, default: []].append(rate[mode]! / rate["off"]!) }
            print("journal ratios, round \(round): write/off \(format(ratios["write"]!.last!, 3)), fsync/off \(format(ratios["fsync"]!.last!, 3))")
        }
        let write = benchMedian(ratios["write"]!), fsync = benchMedian(ratios["fsync"]!)
        print("journal throughput over \(rounds) round(s), medians: off \(Int(benchMedian(rates["off"]!))) /s, write \(Int(benchMedian(rates["write"]!))) /s, "
            + "fsync \(Int(benchMedian(rates["fsync"]!))) /s; write/off \(format(write, 3)) (range \(format(ratios["write"]!.min()!, 3))–\(format(ratios["write"]!.max()!, 3))), "
            + "fsync/off \(format(fsync, 3)) (range \(format(ratios["fsync"]!.min()!, 3))–\(format(ratios["fsync"]!.max()!, 3)))")
        print("  target write ≥ 0.8 × off: \(write >= 0.8 ? "MET" : "NOT MET"); target fsync ≥ 0.5 × off: \(fsync >= 0.5 ? "MET" : "NOT MET") (median ratios)")
    }

    /// One daemon run and one relay run on the same traffic; odd rounds start with the daemon, even ones with the relay.
    private func pair(round: Int, traffic: BenchTraffic, temp: URL, tag: String, hmm: HMMParameters,
                      recordLatency: Bool = false) throws -> (daemon: BenchE2EResult, relay: BenchE2EResult) {
        let daemonTarget = Target.daemon(model: model, hmm: hmm, journal: journal, http: http)
        if round % 2 == 1 {
            let daemon = try measure(daemonTarget, traffic: traffic, temp: temp, tag: "\(tag)-\(round)", recordLatency: recordLatency)
            return (daemon, try measure(.relay, traffic: traffic, temp: temp, tag: "\(tag)-\(round)", recordLatency: recordLatency))
        }
        let relay = try measure(.relay, traffic: traffic, temp: temp, tag: "\(tag)-\(round)", recordLatency: recordLatency)
        return (try measure(daemonTarget, traffic: traffic, temp: temp, tag: "\(tag)-\(round)", recordLatency: recordLatency), relay)
    }

    /// One daemon run and one relay run of the latency traffic at the same time (the relay's on a second thread).
    /// Tried up to three times: a port one side picked (bound and released) can be taken by the other side's
    /// outgoing connections before its child binds it.
    private func concurrentPair(traffic: BenchTraffic, temp: URL, tag: String, hmm: HMMParameters) throws -> (daemon: BenchE2EResult, relay: BenchE2EResult) {
        try retried(tag) { try concurrentPairOnce(traffic: traffic, temp: temp, tag: $0, hmm: hmm) }
    }

    /// `body` with the tags "<tag>-1", "-2", "-3" until it succeeds; each failure but the last is printed.
    func retried<T>(_ tag: String, _ body: (String) throws -> T) throws -> T {
        for attempt in 1...2 {
            do {
                return try body("\(tag)-\(attempt)")
            } catch {
                print("\(tag), attempt \(attempt) failed, retrying: \(String(describing: error).prefix(200))")
            }
        }
        return try body("\(tag)-3")
    }

    private func concurrentPairOnce(traffic: BenchTraffic, temp: URL, tag: String, hmm: HMMParameters) throws -> (daemon: BenchE2EResult, relay: BenchE2EResult) {
        let relaySlot = BenchResultSlot()
        let command = self
        let relayThread = try BenchThread {
            relaySlot.store(Result { try command.measure(.relay, traffic: traffic, temp: temp, tag: tag, recordLatency: true) })
        }
        let daemon = Result { try measure(.daemon(model: model, hmm: hmm, journal: journal, http: http), traffic: traffic, temp: temp, tag: tag, recordLatency: true) }
        relayThread.join()
        return (try daemon.get(), try relaySlot.take())
    }

    enum Target {
        /// `scraping`: with `http`, scrape every --scrape-interval during the traffic (false: only once after it).
        case daemon(model: Model, hmm: HMMParameters, journal: String, http: Bool = false, scraping: Bool = true)
        case relay
    }

    /// One measurement: start the child, run publisher and subscriber threads against it, stop the child.
    private func measure(_ target: Target, traffic: BenchTraffic, temp: URL, tag: String,
                         recordLatency: Bool = false, watchMemory: Bool = false, windows: BenchScrapeWindows? = nil) throws -> BenchE2EResult {
        let started = try start(target, temp: temp, tag: tag, recordLatency: recordLatency)
        let child = started.child, scraper = started.scraper, name = started.name, kinds = started.kinds
        let inEndpoint = started.input, outEndpoint = started.output
        defer { if child.isRunning { child.stop(timeout: 5) } }

        let context = try ZMQContext()
        let shared = BenchShared()
        let expected: Int
        switch traffic.pace {
        case let .paced(rate, seconds): expected = Int(rate * seconds)
        case let .count(n, _): expected = n
        case .saturate: expected = 0
        }
        let subscriberSlot = BenchSlot(BenchSubscriberResult())
        let publisherSlot = BenchSlot(BenchPublisherResult())
        let subscriber = try BenchThread {
            subscriberSlot.value = BenchLoad.subscribe(context: context, endpoint: outEndpoint, kinds: kinds, recordLatency: recordLatency,
                                                       expected: expected, traffic: traffic, shared: shared)
        }
        let pid = child.pid
        let scraping = try scraper?.start()
        let publisher = try BenchThread {
            publisherSlot.value = BenchLoad.publish(context: context, endpoint: inEndpoint, traffic: traffic, shared: shared,
                                                    watchPID: watchMemory ? pid : nil)
        }
        // CPU from the first warm-up reply on: the child's start (restore, bind, the HTTP server) is not counted.
        while shared.warmupReceived.load(ordering: .acquiring) == 0, !shared.publisherDone.load(ordering: .acquiring), child.isRunning {
            usleep(1_000)
        }
        let cpuBefore = benchCPUSeconds(pid: pid), threadsBefore = benchThreadCPUSeconds(pid: pid)
        // Watch the child: if it dies, end both loops instead of waiting for their timeouts.
        func childDied() -> Bool {
            if child.isRunning { return false }
            shared.abort.store(true, ordering: .relaxed)
            return true
        }
        var windows = windows
        if windows != nil, let scraper {
            // The windows start 2 s into the traffic (contexts created, caches warm) and end before it does.
            windows!.run(origin: BenchClock.now() + 2, received: { shared.received.load(ordering: .relaxed) },
                         scrape: { windowsControl || scraper.scrapeOnce(keep: false) },
                         abort: { childDied() || shared.abort.load(ordering: .relaxed) || shared.publisherDone.load(ordering: .acquiring) })
        }
        while !shared.publisherDone.load(ordering: .acquiring) {
            if childDied() { break }
            usleep(20_000)
        }
        publisher.join()
        subscriber.join()
        let cpuAfter = benchCPUSeconds(pid: pid), threadsAfter = benchThreadCPUSeconds(pid: pid)
        scraper?.stop()
        scraping?.join()
        // A last scrape after the drain: the histogram then holds every prediction of the run.
        usleep(400_000)
        scraper?.scrapeOnce()
        let memory = watchMemory ? BenchProcStatus.read(pid: pid) : nil
        let stopped = child.isRunning ? child.stop() : (status: child.process.terminationStatus, lastHWM: nil)
        if let failure = publisherSlot.value.failure ?? subscriberSlot.value.failure {
            throw BenchE2EError("\(name): \(failure)\n--- \(child.logURL.path) ---\n\(child.log.suffix(4000))")
        }
        if shared.abort.load(ordering: .relaxed) {
            throw BenchE2EError("\(name): child exited early (status \(stopped.status.map(String.init) ?? "?"))\n--- \(child.logURL.path) ---\n\(child.log.suffix(4000))")
        }
        var result = BenchE2EResult(publisher: publisherSlot.value, subscriber: subscriberSlot.value, memoryAtEnd: memory,
                                    hwmDuringStop: stopped.lastHWM, exitStatus: stopped.status)
        if let cpuBefore, let cpuAfter { result.cpuSeconds = cpuAfter - cpuBefore }
        if case .relay = target { result.relaySpan = started.relaySpan }
        result.scrapeWindows = windows
        result.threadCPUSeconds = threadsAfter.merging(threadsBefore.mapValues { -$0 }, uniquingKeysWith: +)
        if let scraper {
            result.scrapeText = "\(scraper.scrapes) scrapes (\(scraper.failures) failed), mean \(format(scraper.meanSeconds * 1000, 2)) ms each"
            let body = scraper.last
            if let wakeups = BenchScraper.value("predictord_poll_batch_messages_count", body),
               let messages = BenchScraper.value("predictord_poll_batch_messages_sum", body), wakeups > 0 {
                result.meanBatch = messages / wakeups
                result.scrapeText += "; \(Int(wakeups)) busy poll wake-ups, mean batch \(format(messages / wakeups, 1)) messages, "
                    + "\(Int(BenchScraper.value("predictord_poll_budget_exhausted_total", body) ?? 0)) cut by the budget"
            }
            result.inDaemonMedian = BenchScraper.quantile(0.5, scraper.last, model: "bench")
        }
        return result
    }

    /// Starts the child of `target` on two free loopback ports; with `recordLatency` the daemon times every message
    /// and the relay its receive-to-send spans.
    func start(_ target: Target, temp: URL, tag: String, recordLatency: Bool) throws -> BenchStartedChild {
        let inPort = try benchFreePort(), outPort = try benchFreePort()
        let inEndpoint = "tcp://127.0.0.1:\(inPort)", outEndpoint = "tcp://127.0.0.1:\(outPort)"
        let hwm = 10_000_000
        let child: BenchChildProcess
        let scraper: BenchScraper?
        let kinds: Set<UInt8>
        let name: String
        switch target {
        case let .daemon(model, hmm, journal, http, scraping):
            name = "daemon-\(tag)"
            scraper = http ? BenchScraper(port: try benchFreePort(), interval: scraping ? scrapeInterval : .infinity) : nil
            let dir = temp.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let config = dir.appendingPathComponent("predictord.yaml")
            try daemonConfig(model: model, hmm: hmm, input: inEndpoint, output: outEndpoint, hwm: hwm,
                             state: dir.appendingPathComponent("state").path, maxContexts: max(2 * contexts, streams + 16, 1_000_000),
                             journal: journal, httpPort: scraper?.port, timeEveryMessage: recordLatency)
                .write(to: config, atomically: true, encoding: .utf8)
            child = try BenchChildProcess(name: name, executable: try BenchExecutables.daemon(daemon),
                                          arguments: ["run", "--config", config.path], wrapper: childWrapper,
                                          logURL: dir.appendingPathComponent("daemon.log"))
            kinds = [16, 17]
        case .relay:
            name = "relay-\(tag)"
            child = try BenchChildProcess(
                name: name, executable: BenchExecutables.bench,
                arguments: ["relay", "--in", inEndpoint, "--out", outEndpoint, "--receive-hwm", "\(hwm)", "--send-hwm", "\(hwm)",
                            "--max-message-bytes", "\(max(65536 * 64, 16 << 20))"] + (recordLatency ? ["--time-messages"] : []),
                wrapper: childWrapper, logURL: temp.appendingPathComponent("\(name).log"))
            kinds = [0, 1, 2, 3]
            scraper = nil
        }
        return BenchStartedChild(child: child, name: name, input: inEndpoint, output: outEndpoint, kinds: kinds, scraper: scraper)
    }

    private func daemonConfig(model: Model, hmm: HMMParameters, input: String, output: String, hwm: Int,
                              state: String, maxContexts: Int, journal: String, httpPort: Int?, timeEveryMessage: Bool) -> String {
        let spec: ModelSpec
        switch model {
        case .rls: spec = BenchDaemonConfiguration.rls(bias: false)
        case .forward: spec = .forward(hmm)
        }
        return BenchDaemonConfiguration.yaml(
            model: spec, name: "bench", input: input, output: output, hwm: hwm, maxContexts: maxContexts, state: state,
            checkpointIntervalSeconds: 0, journal: journal, httpListen: httpPort.map { "127.0.0.1:\($0)" },
            // Paced latency runs time every message (http.latency_sample_every: 1): their cost is irrelevant there.
            latencySampleEvery: timeEveryMessage ? 1 : nil, logLevel: "notice",
            statsIntervalSeconds: 3600)
    }
}

/// The figures of one measurement.
struct BenchE2EResult {
    var publisher: BenchPublisherResult
    var subscriber: BenchSubscriberResult
    var memoryAtEnd: BenchProcStatus?
    var hwmDuringStop: Int?
    var exitStatus: Int32?
    /// With `--http`: the scrapes' summary, and the in-daemon latency histogram's median bucket.
    var scrapeText = ""
    /// CPU seconds the child used during the traffic (user + system).
    var cpuSeconds: Double?
    /// Mode scrape-windows: the windows' replies and scrapes.
    var scrapeWindows: BenchScrapeWindows?
    /// CPU seconds per thread name of the child during the traffic.
    var threadCPUSeconds: [String: Double] = [:]
    /// CPU microseconds of the daemon's poll thread per reply.
    var pollCPUPerReply: Double? {
        threadCPUSeconds["predictord-poll"].map { $0 * 1e6 / Double(max(1, subscriber.received)) }
    }
    /// CPU milliseconds per second of traffic of the daemon's threads other than the poll thread and libzmq's
    /// (the HTTP server, the telemetry and checkpoint queues, the main thread).
    var helperCPUPerSecond: Double {
        threadCPUSeconds.filter { $0.key != "predictord-poll" && !$0.key.hasPrefix("ZMQbg") }.values.reduce(0, +) * 1000 / receiveSeconds
    }
    /// CPU microseconds of the child per reply.
    var cpuPerReply: Double? { cpuSeconds.map { $0 * 1e6 / Double(max(1, subscriber.received)) } }
    /// The relay's median receive-to-send time (s) in latency runs (`relay --time-messages`).
    var relaySpan: Double?
    /// With `--http`: messages per busy poll wake-up over the run (about 1 when the traffic does not queue).
    var meanBatch: Double?
    /// With `--http`: the in-daemon latency histogram's median, read after the run.
    var inDaemonMedian: BenchHistogramQuantile?

    var sendSeconds: Double { max(publisher.end - publisher.start, 1e-9) }
    var receiveSeconds: Double { max(subscriber.lastArrival - publisher.start, 1e-9) }
    var inRate: Double { Double(publisher.sent) / sendSeconds }
    /// Replies received over the time from the first send to the last reply.
    var outRate: Double { Double(subscriber.received) / receiveSeconds }
    var lost: Int { publisher.sent - subscriber.received }

    var lossText: String {
        var text = "lost \(lost)"
        if subscriber.unexpected > 0 { text += ", \(subscriber.unexpected) unexpected replies" }
        if publisher.stalled { text += ", STALLED (replies stopped while the window was full)" }
        return text
    }

    func throughputLine(label: String) -> String {
        "throughput \(label): in \(publisher.sent) obs in \(format(sendSeconds, 2)) s = \(Int(inRate)) obs/s; "
            + "out \(subscriber.received) in \(format(receiveSeconds, 2)) s = \(Int(outRate)) /s; \(lossText)"
    }

    func percentile(_ q: Double) -> Double? {
        sortedLatencies.isEmpty ? nil : sortedLatencies[min(sortedLatencies.count - 1, max(0, Int((q * Double(sortedLatencies.count)).rounded(.up)) - 1))]
    }

    private var sortedLatencies: [Double] { subscriber.latencies.sorted() }

    func latencyLine(label: String, rate: Double) -> String {
        let sorted = sortedLatencies
        guard !sorted.isEmpty else { return "latency \(label): no replies; \(lossText)" }
        func p(_ q: Double) -> String {
            let v = sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
            return "\(format(v * 1e6, 1)) µs"
        }
        return "latency \(label) at \(Int(rate)) obs/s: p50 \(p(0.5)), p90 \(p(0.9)), p99 \(p(0.99)), p99.9 \(p(0.999)), "
            + "max \(format(sorted.last! * 1e6, 1)) µs (\(sorted.count) replies; achieved send rate \(Int(inRate)) /s; \(lossText))"
    }

    func memoryLines(contexts: Int) -> [String] {
        var lines = ["rss: \(publisher.sent) observations on \(contexts) new rls p=4 streams in \(format(sendSeconds, 2)) s "
            + "(\(Int(inRate)) /s), \(subscriber.received) predictions received; \(lossText); "
            + "all predictions arrived: \(subscriber.received == contexts && lost == 0 ? "yes" : "NO")"]
        func mib(_ b: Int) -> String { "\(format(Double(b) / 1_048_576, 1)) MiB" }
        if let base = publisher.baseline, let end = memoryAtEnd {
            let perContext = Double(end.rss - base.rss) / Double(max(1, subscriber.received))
            lines.append("rss: daemon VmRSS before \(mib(base.rss)), after \(mib(end.rss)); VmHWM \(mib(end.hwm)); "
                + "(VmRSS after - before) / contexts = \(Int(perContext)) bytes per context")
            if let stopHWM = hwmDuringStop {
                lines.append("rss: VmHWM including the final checkpoint at shutdown: \(mib(stopHWM)) (exit status \(exitStatus.map(String.init) ?? "killed"))")
            }
            lines.append("  target peak RSS < 1 GiB with \(contexts) contexts: \(end.hwm < 1 << 30 ? "MET" : "NOT MET") (VmHWM \(mib(end.hwm)))")
        } else {
            lines.append("rss: /proc/<pid>/status unreadable; no memory figures")
        }
        return lines
    }
}
