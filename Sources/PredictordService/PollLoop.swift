import Foundation
import Logging
import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordConfig
import PredictordLogging
import PredictordState
import PredictordTelemetry
import Systemd
import ZeroMQ

/// The daemon's single I/O thread: owns every ZeroMQ socket, the engine (all fast memory) and the checkpoints.
///
/// Confined to the thread that created it (ZeroMQ sockets are not thread-safe); other threads reach it only
/// through ``DaemonControl`` (reload, checkpoint, graceful stop) and ``ZMQContext/shutdown()`` (abrupt: ETERM).
final class PollLoop {
    private let config: DaemonConfiguration
    private let health: DaemonHealth
    private let control: DaemonControl
    private let logger: Logger
    private var engine: PredictionEngine
    private let observations: ZMQSocket
    private let predictions: ZMQSocket
    private let poller = ZMQPoller()
    private let security: SocketSecurity
    private let store: CheckpointStore
    /// The exclusive lock on the state directory, held until the loop (the process) ends.
    private let lock: StateDirectoryLock
    private let checkpoints: CheckpointWriter
    private var pipeline: MessagePipeline
    private var limiter = RateLimiter(burst: 10, interval: 10)
    private var now = Date().timeIntervalSince1970
    private var stats: StatsReporter
    /// Learned prior means as last reported, to log slow memory only when it changes materially.
    private var reportedPriors: [String: [Double]] = [:]
    /// Learned HMM parameters as last reported, likewise.
    private var reportedHMMs: [String: HMMParameters] = [:]
    /// Learned softmax β as last reported, likewise.
    private var reportedBetas: [String: Double] = [:]
    private var nextStats: Double
    private var nextCheckpoint: Double
    private var nextEviction: Double
    /// Set by ``DaemonCommand/stop``: the loop ends after the current iteration.
    private var stopping = false
    /// The HTTP endpoint's feed (latency, watched streams, snapshots); nil when `http.listen` is off.
    private var telemetry: TelemetryPublisher?
    private let hub: TelemetryHub?
    /// Creation time of the checkpoint restored at start, if any.
    private var restoredAt: Double?

    /// Restores the last checkpoint, then creates and binds the sockets; throws (with the endpoint named) if it cannot.
    init(config: DaemonConfiguration, context: ZMQContext, health: DaemonHealth, control: DaemonControl, logger: Logger,
         telemetry hub: TelemetryHub? = nil) throws {
        self.config = config
        self.hub = hub
        self.health = health
        self.control = control
        self.logger = logger
        engine = PredictionEngine(
            models: config.models,
            limits: config.limits.engineLimits)
        pipeline = MessagePipeline(maxMessageBytes: config.limits.maxMessageBytes)
        store = try CheckpointStore(directory: config.state.directory)
        lock = try StateDirectoryLock(directory: store.directory)
        checkpoints = CheckpointWriter(
            store: store, logger: logger, health: health, retryInterval: config.state.checkpointIntervalSeconds, telemetry: hub)
        observations = try ZMQSocket(context: context, type: .sub)
        predictions = try ZMQSocket(context: context, type: .pub)
        stats = StatsReporter(modelNames: config.models.map(\.name), start: now)
        nextStats = now + config.logging.statsIntervalSeconds
        nextCheckpoint = config.state.checkpointIntervalSeconds > 0 ? now + config.state.checkpointIntervalSeconds : .infinity
        nextEviction = now + 1
        security = try SocketSecurity(config: config, context: context, logger: logger)
        try restoreCheckpoint()
        if let hub {
            engine.qualityHalfLife = config.http.qualityHalfLife
            telemetry = TelemetryPublisher(hub: hub, now: now, restoredCheckpointTime: restoredAt,
                                           sampleEvery: config.http.latencySampleEvery)
        }
        try configureSockets()
        _ = poller.add(observations)
        security.register(in: poller)
    }

    private func configureSockets() throws {
        let o = config.observations
        try observations.setReceiveHighWaterMark(o.receiveHighWaterMark)
        // Our own limit (limits.max_message_bytes) is checked per message, counted and logged as `oversized`.
        // Above it, libzmq's hard cap protects memory: a larger frame drops the sender's connection uncounted.
        try observations.setMaxMessageSize(Self.frameCap(maxMessageBytes: config.limits.maxMessageBytes))
        for prefix in o.subscribe { try observations.subscribe(prefix: prefix) }
        try security.secure(observations: observations, predictions: predictions)
        for endpoint in o.bind { try observations.bind(endpoint) }
        for endpoint in o.connect { try observations.connect(endpoint) }
        try predictions.setSendHighWaterMark(config.predictions.sendHighWaterMark)
        // What a PUB receives are subscriptions (1 byte + prefix): without a cap one 32 MB subscription is held
        // (in the subscription trie) for good. A prefix longer than limits.max_topic_bytes can match nothing, so
        // a larger frame only disconnects its peer; the floor of 1 KiB keeps CURVE's handshake commands fitting.
        try predictions.setMaxMessageSize(Self.subscriptionCap(maxTopicBytes: config.limits.maxTopicBytes))
        // `count`: a send that a full subscriber queue refuses returns false and is counted as publish_hwm.
        try predictions.setNoDrop(config.predictions.slowSubscriber == .count)
        // Predictions still queued at stop are flushed for up to linger_seconds (set now: after zmq_ctx_shutdown
        // every option call fails); only a subscriber that is still behind by then loses the rest.
        try predictions.setLinger(.milliseconds(Int64((config.predictions.lingerSeconds * 1000).rounded())))
        for endpoint in config.predictions.bind { try predictions.bind(endpoint) }
        logger.info("sockets ready", metadata: [
            "observations": "\((o.bind + o.connect).joined(separator: " "))",
            "predictions": "\(config.predictions.bind.joined(separator: " "))",
        ])
    }

    /// ZMQ_MAXMSGSIZE (per frame) of the observations SUB: 4 × limits.max_message_bytes, so payloads up to 4× the
    /// limit are still counted as `oversized` and one frame can never make libzmq buffer more (docs/operations.md).
    static func frameCap(maxMessageBytes: Int) -> Int { maxMessageBytes &* 4 }

    /// ZMQ_MAXMSGSIZE of the predictions PUB: max(limits.max_topic_bytes + 1, 1024) bytes (docs/operations.md).
    static func subscriptionCap(maxTopicBytes: Int) -> Int { max(maxTopicBytes + 1, 1024) }

    /// Restores fast and slow memory; a corrupt file is moved aside and reported, an unreadable one stops the start
    /// (starting empty would later overwrite the only copy of that state).
    private func restoreCheckpoint() throws {
        switch try store.load() {
        case .none:
            logger.info("no checkpoint found; starting with empty fast memory", metadata: ["directory": "\(config.state.directory)"])
        case let .loaded(checkpoint):
            let report = engine.restore(from: checkpoint)
            let age = max(0, now - checkpoint.createdAt)
            restoredAt = checkpoint.createdAt
            checkpoints.restored(createdAt: checkpoint.createdAt)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: store.checkpointPath)[.size] as? Int) ?? 0
            hub?.recordRestoredCheckpoint(createdAt: checkpoint.createdAt, bytes: bytes)
            logger.notice("restored checkpoint: \(report); it was written \(Int(age)) s ago, so if the previous run did not stop cleanly (kill -9, crash, power loss) the observations of those \(Int(age)) s are not in fast memory (per-stream seq gaps count them)", metadata: [
                "contexts": "\(report.restored)", "skipped": "\(report.totalSkipped)",
                "checkpoint_age_seconds": "\(Int(now - checkpoint.createdAt))",
            ])
        case let .movedAside(reason, path):
            logger.error("checkpoint unusable and moved aside; starting with empty fast memory", metadata: [
                "reason": "\(reason)", "moved_to": "\(path)",
            ])
        }
    }

    /// Polls until told to stop (or the context is shut down), then writes the final checkpoint and closes the
    /// sockets; every prediction of an absorbed observation is still queued then and flushed by the PUB's linger.
    func run() {
        while true {
            do {
                _ = try poller.poll(timeoutMilliseconds: 100)
            } catch {
                if !error.isTerminated { logger.critical("poll failed: \(error)") }
                break
            }
            now = Date().timeIntervalSince1970
            health.beat(now: .now)
            security.serve(now: now, counters: &engine.counters)
            if drainObservations() == false { break }
            periodic()
            if stopping { break }
        }
        logger.notice("stopping: writing final checkpoint", metadata: ["contexts": "\(engine.contexts.count)"])
        if case let .failed(message) = checkpoints.writeNow(engine, now: now) {
            logger.critical("final checkpoint failed; state since the last good checkpoint will be lost: \(message)")
        }
        observations.close()
        predictions.close()
        // Questions asked while stopping get no stream (the HTTP server stops with the process).
        hub?.answerQuestions { _ in nil }
        hub?.answerSearches { _, _ in [] }
    }

    /// Handles every waiting message (bounded per iteration so timers still run); false once the context is gone.
    private func drainObservations() -> Bool {
        // One access to the engine and the reused buffers for the whole drain, passed down inout: per message this
        // saves the dynamic exclusivity checks of class properties and a copy (retain/release) of the prediction.
        drain(engine: &engine, pipeline: &pipeline, telemetry: &telemetry)
    }

    private func drain(engine: inout PredictionEngine, pipeline: inout MessagePipeline, telemetry: inout TelemetryPublisher?) -> Bool {
        // With telemetry, one message in http.latency_sample_every is timed, from the moment it is off the SUB
        // socket to the moment its prediction is handed to the PUB (two clock reads); the others cost a counter.
        let measuring = telemetry != nil
        // Time budget: the timers, signals (stop, reload) and the watchdog heartbeat run at least every ~100 ms
        // whatever the traffic; the clock is read every 256 messages (a vDSO call), not per message.
        let start = ContinuousClock.now
        for i in 0..<10_000 {
            if i & 255 == 255, ContinuousClock.now - start > .milliseconds(100) { return true }
            let timed = measuring && telemetry!.timesNext
            let handled: Int64??
            do {
                handled = try observations.receiveMultipart(maxFrames: 2, dontWait: true) { frames in
                    handle(frames, timed: timed, engine: &engine, pipeline: &pipeline)
                }
            } catch {
                if !error.isTerminated { logger.critical("receive failed: \(error)") }
                return false
            }
            guard let handled else { return true }
            if measuring {
                telemetry!.countReceived()
                if let nanoseconds = handled {
                    telemetry!.published(engine: engine, pipeline: pipeline, nanoseconds: timed ? nanoseconds : nil)
                }
            }
        }
        return true
    }

    /// Nil when the message was dropped; else the nanoseconds from its receipt to the send of its prediction when
    /// `timed` (0 otherwise).
    private func handle(
        _ frames: borrowing ZMQFrames, timed: Bool, engine: inout PredictionEngine, pipeline: inout MessagePipeline
    ) -> Int64? {
        let received = timed ? MonotonicNanos.now() : 0
        // `self.engine` is being accessed (inout) for the whole drain: count drops on the parameter.
        func drop(_ reason: String, _ message: String, stream: String?) -> Int64? {
            engine.counters.drop(reason)
            log(reason, message, stream: stream)
            return nil
        }
        guard frames.count == 2 else {
            return drop("bad_frames", "message has \(frames.count) frame(s); send exactly two: [stream id][payload]", stream: nil)
        }
        let topic = frames[0]
        switch pipeline.handle(topic: topic, body: frames[1], engine: &engine, now: now) {
        case .publish:
            break
        case let .drop(reason, message, stream):
            return drop(reason, message, stream: stream)
        case let .refused(reason, message, stream):
            log(reason, message, stream: stream)
            return nil
        }
        let handedOver = timed ? MonotonicNanos.now() : 0
        let sent: Bool
        do {
            sent = try pipeline.payload.withUnsafeBytes { p throws(ZMQError) in try predictions.send(topic: topic, payload: p, dontWait: true) }
        } catch {
            return drop("publish_failed", "\(error)", stream: String(decoding: topic, as: UTF8.self))
        }
        if !sent {
            return drop("publish_hwm", "a subscriber is too slow: sockets.predictions.send_hwm reached, prediction dropped",
                        stream: String(decoding: topic, as: UTF8.self))
        }
        return handedOver &- received
    }

    /// Counts a drop the engine did not see, and logs it (rate-limited per reason).
    private func drop(_ reason: String, _ message: String, stream: String?) {
        engine.counters.drop(reason)
        log(reason, message, stream: stream)
    }

    private func log(_ reason: String, _ message: String, stream: String?) {
        let admission = limiter.admit(key: reason, now: now)
        guard admission.isAdmitted else { return }
        var metadata: Logger.Metadata = ["reason": "\(reason)"]
        if let stream { metadata["stream"] = "\(stream)" }
        if admission.suppressed > 0 { metadata["suppressed"] = "\(admission.suppressed)" }
        logger.warning("dropped message: \(message)\(admission.note)", metadata: metadata)
    }

    private func periodic() {
        for command in control.drain() {
            switch command {
            case let .reload(models):
                let changed = engine.reload(models: models)
                logger.notice("reloaded model definitions for new contexts", metadata: [
                    "models": "\(models.map(\.name).joined(separator: ","))", "changed": "\(changed.joined(separator: ","))",
                ])
            case let .reloadAllowLists(fresh):
                security.reloadAllowLists(from: fresh)
            case .checkpoint:
                checkpoints.writeInBackground(engine, now: now)
            case .stop:
                stopping = true
            }
        }
        if now >= nextEviction {
            // Eviction scans every context: sweep at a tenth of the TTL (1–60 s), so a context outlives it by ≤ 10 %.
            nextEviction = now + min(max(config.limits.idleTTLSeconds / 10, 1), 60)
            let removed = engine.evictIdle(now: now)
            if removed > 0 {
                logger.info("evicted idle contexts", metadata: ["count": "\(removed)", "idle_ttl_seconds": "\(config.limits.idleTTLSeconds)"])
            }
        }
        if now >= nextCheckpoint {
            nextCheckpoint = now + config.state.checkpointIntervalSeconds
            checkpoints.writeInBackground(engine, now: now)
        }
        telemetry?.tick(engine: engine, now: now)
        if now >= nextStats {
            nextStats = now + config.logging.statsIntervalSeconds
            reportStats()
            reportSlowMemory()
        }
    }

    /// Logs each learned prior mean that moved by more than 1 % (of max(1, |value|)) since it was last logged, and
    /// each learned HMM whose published A, C or μ moved by more than 0.01 in some entry, and each learned softmax β
    /// that moved by more than 1 %.
    private func reportSlowMemory() {
        for (name, model) in engine.softmaxTuning.models.sorted(by: { $0.key < $1.key }) where model.publications > 0 {
            if let previous = reportedBetas[name], abs(model.published - previous) <= 0.01 * previous { continue }
            reportedBetas[name] = model.published
            logger.notice("slow memory of model '\(name)' changed: learned beta \(model.published) from \(model.contexts) context(s), \(model.steps) step(s)", metadata: [
                "model": "\(name)", "beta": "\(model.published)", "contexts": "\(model.contexts)", "steps": "\(model.steps)",
            ])
        }
        for (name, model) in engine.hmmLearning.models.sorted(by: { $0.key < $1.key }) where model.publications > 0 {
            if let previous = reportedHMMs[name], HMMLearner.materialChange(from: previous, to: model.published) <= 0.01 { continue }
            reportedHMMs[name] = model.published
            let p = model.published
            func list(_ v: [Double]) -> String { v.map { "\($0)" }.joined(separator: " ") }
            logger.notice("slow memory of model '\(name)' changed: learned A, C, μ from \(model.learner.contexts) context(s), \(model.learner.contributions) segment(s)", metadata: [
                "model": "\(name)", "contexts": "\(model.learner.contexts)", "segments": "\(model.learner.contributions)",
                "publications": "\(model.publications)", "transition": "\(list(p.transition))",
                "emission": "\(list(p.emission))", "initial": "\(list(p.initial))",
            ])
        }
        for (name, learner) in engine.priorLearners.sorted(by: { $0.key < $1.key }) {
            let previous = reportedPriors[name] ?? []
            let moved = previous.count != learner.mean.count
                || zip(previous, learner.mean).contains { abs($0 - $1) > 0.01 * max(1, abs($0)) }
            guard moved else { continue }
            reportedPriors[name] = learner.mean
            logger.notice("slow memory of model '\(name)' changed: learned prior mean from \(learner.contributions) context(s)", metadata: [
                "model": "\(name)", "contributions": "\(learner.contributions)",
                "prior_mean": "\(learner.mean.map { "\($0)" }.joined(separator: " "))",
            ])
        }
    }

    /// The periodic stats entry (fixed MESSAGE_ID) to the journal, and the same figures as STATUS= (sent now).
    private func reportStats() {
        stats.modelNames = engine.models.map(\.name)
        let entry = stats.report(
            current: engine.counters, now: now, contexts: engine.contexts.count,
            extraFields: [JournalField("CHECKPOINT", checkpoints.health.statusText())])
        health.statsSummary = entry.statusLine
        if Journal.isAvailable {
            Journal.send(entry.journalFields())
        } else {
            logger.info("\(entry.message)", metadata: entry.metadata)
        }
    }
}
