import Foundation
import PredictorEngine
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// One soak: the daemon children, the publisher and checker threads, the SIGHUP and the restart, RSS sampling.
struct SoakRun {
    var streams: Int
    var rate: Double
    var seconds: Double
    var input: String
    var output: String
    var config: URL
    /// The `predictord` executable started as the daemon.
    var daemonExecutable: URL
    var directory: URL
    var models: [ModelDefinition]
    /// SIGTERM (graceful: must pass) or SIGKILL (loses the state since the last checkpoint: must fail).
    var restartSignal: Int32 = SIGTERM
    /// Seconds after each (re)start before RSS samples count.
    var warmup: Double
    /// kill -9 + restart cycles between 55 % and 95 % of the run (after the SIGTERM restart).
    var killCycles = 0

    /// RSS samples (bytes, every 0.25 s) of one daemon process after its warm-up.
    struct Phase {
        var name: String
        var samples: [Int] = []
        var exitStatus: Int32?
        var reloadLogged = false
        /// Ended by kill -9 on purpose: no exit status or RSS trend to judge.
        var killed = false
        /// Started after a kill -9: its RSS trend is judged only if it lasted long enough for 4 samples.
        var afterKill = false
    }

    struct Report {
        var phases: [Phase]
        var check: SoakCheckResult
        var sent: Int
        var received: Int
        /// Observations sent between SIGTERM and the publisher's hold (never accepted), for the report.
        var sentAroundRestart: Int
        var failure: String?

        /// Peak of the first and second half of a phase's samples.
        static func halves(_ samples: [Int]) -> (first: Int, second: Int)? {
            guard samples.count >= 4 else { return nil }
            let mid = samples.count / 2
            return (samples[..<mid].max()!, samples[mid...].max()!)
        }

        func growthOK(_ phase: Phase, percent: Double, mib: Double) -> Bool {
            guard let h = Self.halves(phase.samples) else { return phase.afterKill }
            return Double(h.second) <= Double(h.first) * (1 + percent / 100) + mib * 1_048_576
        }

        func passed(growthPercent: Double, growthMiB: Double) -> Bool {
            failure == nil && check.clean
                && phases.allSatisfy { $0.killed || ($0.exitStatus == 0 && growthOK($0, percent: growthPercent, mib: growthMiB)) }
                && phases.first?.reloadLogged == true
        }

        func lines(growthPercent: Double, growthMiB: Double) -> [String] {
            func mib(_ b: Int) -> String { String(format: "%.1f MiB", Double(b) / 1_048_576) }
            var lines = [
                "soak: sent \(sent) observations, received \(received) predictions; \(sent - received) not accepted (neither "
                    + "predicted nor in fast memory: sent while the daemon stopped, \(sentAroundRestart) of them after SIGTERM, "
                    + "or still queued in its SUB socket when SIGTERM came)",
                "soak: \(check.matched) predictions identical to the engine's (replay), \(check.lostAccepted) lost for accepted "
                    + "observations, \(check.mismatched) different, \(check.outOfOrder) out of order, \(check.failedStreams) streams failed",
            ]
            if phases.contains(where: \.killed) {
                lines.append("soak: \(phases.filter(\.killed).count) kill -9 cycle(s): \(check.absorbedUnsent) observations absorbed "
                    + "(journaled) just before a kill whose predictions died with the daemon, absorbed by the oracle too")
            }
            lines += check.examples.map { "  e.g. \($0)" }
            for phase in phases {
                if phase.killed {
                    lines.append("soak: \(phase.name): ended by kill -9 (\(phase.samples.count) RSS samples, not judged)")
                    continue
                }
                var text = "soak: \(phase.name): exit status \(phase.exitStatus.map(String.init) ?? "none")"
                if let h = Self.halves(phase.samples) {
                    text += ", RSS peak after warm-up: first half \(mib(h.first)), second half \(mib(h.second)) "
                        + "(\(phase.samples.count) samples; bound +\(growthPercent) % + \(growthMiB) MiB: "
                        + (growthOK(phase, percent: growthPercent, mib: growthMiB) ? "ok" : "EXCEEDED") + ")"
                } else {
                    text += ", too few RSS samples after warm-up (\(phase.samples.count))" + (phase.afterKill ? ", not judged" : "")
                }
                if phase.name == "first run" { text += phase.reloadLogged ? ", SIGHUP reload logged" : ", NO reload logged" }
                lines.append(text)
            }
            if let failure { lines.append("soak: FAILURE: \(failure)") }
            lines.append("soak: " + (passed(growthPercent: growthPercent, growthMiB: growthMiB) ? "PASSED" : "FAILED"))
            return lines
        }
    }

    func run() throws -> Report {
        let context = try ZMQContext()
        let shared = SoakShared()
        let traffic = SoakTraffic(streams: streams, rate: rate)
        var daemon = try BenchChildProcess(name: "daemon-1", executable: daemonExecutable, arguments: ["run", "--config", config.path],
                                           logURL: directory.appendingPathComponent("daemon-1.log"))
        defer { if daemon.isRunning { daemon.stop(timeout: 10) } }
        let checkSlot = BenchSlot(SoakCheckResult()), publishSlot = BenchSlot<String?>(nil)
        let (models, streams, output, input) = (self.models, self.streams, self.output, self.input)
        let checker = try BenchThread {
            checkSlot.value = SoakChecker.run(context: context, endpoint: output, models: models, streams: streams, shared: shared)
        }
        let publisher = try BenchThread {
            publishSlot.value = SoakPublisher.run(context: context, endpoint: input, traffic: traffic, shared: shared)
        }
        var phases = [Phase(name: "first run")]
        var failure: String?
        var sentAroundRestart = 0
        let start = BenchClock.now()
        var phaseStart = start
        var reloaded = false, restarted = false
        // kill -9 moments: evenly spread over 55–95 % of the run, each shifted at random within its slot.
        var generator = SystemRandomNumberGenerator()
        let killTimes = (0..<killCycles).map { i in
            seconds * (0.55 + 0.4 * (Double(i) + Double.random(in: 0.1...0.9, using: &generator)) / Double(killCycles))
        }
        var kills = 0
        while BenchClock.now() < start + seconds, failure == nil {
            BenchClock.sleep(until: BenchClock.now() + 0.25)
            let elapsed = BenchClock.now() - start
            guard daemon.isRunning else { failure = "the daemon exited unexpectedly; see \(daemon.logURL.path)"; break }
            if let message = publishSlot.value { failure = message; break }
            if BenchClock.now() - phaseStart >= warmup, let status = BenchProcStatus.read(pid: daemon.pid) {
                phases[phases.count - 1].samples.append(status.rss)
            }
            if !reloaded, elapsed >= 0.3 * seconds {
                kill(daemon.pid, SIGHUP)
                reloaded = true
            }
            if !restarted, elapsed >= 0.5 * seconds {
                // SIGTERM under load; once it has exited, hold the publisher, restart, prove the path, resume.
                let before = shared.sent.load(ordering: .acquiring)
                if restartSignal != SIGTERM { kill(daemon.pid, restartSignal) }
                let stopped = daemon.stop(timeout: 60)
                shared.mode.store(1, ordering: .releasing)
                sentAroundRestart = shared.sent.load(ordering: .acquiring) - before
                phases[phases.count - 1].exitStatus = stopped.status
                phases[phases.count - 1].reloadLogged = daemon.log.contains("reloaded model definitions")
                daemon = try BenchChildProcess(name: "daemon-2", executable: daemonExecutable, arguments: ["run", "--config", config.path],
                                               logURL: directory.appendingPathComponent("daemon-2.log"))
                phases.append(Phase(name: "after restart"))
                shared.probeRequest.add(1, ordering: .releasing)
                shared.mode.store(0, ordering: .releasing)
                phaseStart = BenchClock.now()
                restarted = true
            }
            if restarted, kills < killTimes.count, elapsed >= killTimes[kills] {
                // kill -9 under load, at once hold the publisher, restart on the same state directory, prove the path.
                kill(daemon.pid, SIGKILL)
                _ = daemon.stop(timeout: 10)
                shared.mode.store(1, ordering: .releasing)
                shared.kills.add(1, ordering: .releasing)
                kills += 1
                phases[phases.count - 1].killed = true
                daemon = try BenchChildProcess(name: "daemon-k\(kills)", executable: daemonExecutable, arguments: ["run", "--config", config.path],
                                               logURL: directory.appendingPathComponent("daemon-k\(kills).log"))
                phases.append(Phase(name: "after kill \(kills)", afterKill: true))
                shared.probeRequest.add(1, ordering: .releasing)
                shared.mode.store(0, ordering: .releasing)
                phaseStart = BenchClock.now()
            }
        }
        shared.mode.store(2, ordering: .releasing)
        publisher.join()
        if failure == nil, let message = publishSlot.value { failure = message }
        // Drain: until every sent observation outside the restart window is answered, or 3 s without progress.
        var last = (count: -1, time: BenchClock.now())
        while BenchClock.now() - last.time < 3 {
            let received = shared.received.load(ordering: .acquiring)
            if received >= shared.sent.load(ordering: .acquiring) - sentAroundRestart && received == last.count { break }
            if received != last.count { last = (received, BenchClock.now()) }
            usleep(100_000)
        }
        let stopped = daemon.stop(timeout: 60)
        phases[phases.count - 1].exitStatus = stopped.status
        if phases.count == 1 { phases[0].reloadLogged = daemon.log.contains("reloaded model definitions") }
        shared.stopChecker.store(true, ordering: .releasing)
        checker.join()
        return Report(phases: phases, check: checkSlot.value, sent: shared.sent.load(ordering: .acquiring),
                      received: shared.received.load(ordering: .acquiring), sentAroundRestart: sentAroundRestart,
                      failure: failure ?? checkSlot.value.failure)
    }
}
