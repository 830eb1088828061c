import Foundation
import Logging
import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordConfig
import PredictordLogging
import PredictordStats
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
    /// state.journal: each batch's messages written before its predictions are sent (DaemonJournal.swift).
    private let journal: DaemonJournal
    /// Predictions of the current batch, held until the journal has it (only while journaling).
    private var pending = PendingPredictions()
    /// createdAt of the last checkpoint started (or restored): each new one is later, so it names one journal segment.
    private var lastCheckpointAt = -Double.infinity
    private var pipeline: MessagePipeline
    private var limiter = RateLimiter(burst: 10, interval: 10)
    private var now = Date().timeIntervalSince1970
    private var stats: StatsReporter
    /// Drops of messages the engine never saw: bad frames, undecodable payloads, refused handshakes, full queues.
    private var transportDrops = DropCounts()
    /// Every model's learned slow memory as last reported, to log it only when it changes materially.
    private var reportedLearners: [String: ModelLearner] = [:]
    private var nextStats: Double
    private var nextCheckpoint: Double
    private var nextEviction: Double
    /// Set by ``DaemonCommand/stop``: the loop ends after the current iteration.
    private var stopping = false
    /// The HTTP endpoint's feed (latency, watched streams, snapshots); nil when `http.listen` is off.
    private var telemetry: TelemetryPublisher?
    /// Predictions held for one journal batch at most: 1024, and at most a quarter of `send_hwm`, so a batch sent at
    /// once never overflows a subscriber that keeps up (1024 at once overflowed one in the backpressure test).
    private let heldLimit: Int
    /// Model and receipt time (MonotonicNanos) of each prediction held for its journal batch, with telemetry on.
    private var heldLatency: [(model: Int, received: Int64)] = []
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
        journal = DaemonJournal(mode: config.state.journal, directory: store.directory, logger: logger, health: health)
        let hwm = config.predictions.sendHighWaterMark
        heldLimit = hwm > 0 ? max(1, min(1024, hwm / 4)) : 1024
        observations = try ZMQSocket(context: context, type: .sub)
        predictions = try ZMQSocket(context: context, type: .pub)
        stats = StatsReporter(modelNames: config.models.map(\.name), start: now)
        nextStats = now + config.logging.statsIntervalSeconds
        nextCheckpoint = config.state.checkpointIntervalSeconds > 0 ? now + config.state.checkpointIntervalSeconds : .infinity
        nextEviction = now + 1
        security = try SocketSecurity(config: config, context: context, logger: logger)
        let base = try restoreCheckpoint()
        if let base { lastCheckpointAt = base }
        journal.recover(engine: &engine, pipeline: &pipeline, base: base, now: now)
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
    /// (starting empty would later overwrite the only copy of that state). Returns the loaded checkpoint's createdAt.
    private func restoreCheckpoint() throws -> Double? {
        switch try store.load() {
        case .none:
            logger.info("no checkpoint found; starting with empty fast memory", metadata: ["directory": "\(config.state.directory)"])
            return nil
        case let .loaded(checkpoint):
            let report = engine.restore(from: checkpoint)
            let age = max(0, now - checkpoint.createdAt)
            restoredAt = checkpoint.createdAt
            checkpoints.restored(createdAt: checkpoint.createdAt)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: store.checkpointPath)[.size] as? Int) ?? 0
            hub?.recordRestoredCheckpoint(createdAt: checkpoint.createdAt, bytes: bytes)
            let since = config.state.journal == .off
                ? "so if the previous run did not stop cleanly (kill -9, crash, power loss) the observations of those \(Int(age)) s are not in fast memory unless a journal of them is found (per-stream seq gaps count them)"
                : "the journal after it is replayed next"
            logger.notice("restored checkpoint: \(report); it was written \(Int(age)) s ago; \(since)", metadata: [
                "contexts": "\(report.restored)", "skipped": "\(report.totalSkipped)",
                "checkpoint_age_seconds": "\(Int(now - checkpoint.createdAt))",
            ])
            return checkpoint.createdAt
        case let .movedAside(reason, path):
            logger.error("checkpoint unusable and moved aside; starting with empty fast memory", metadata: [
                "reason": "\(reason)", "moved_to": "\(path)",
            ])
            return nil
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
            security.serve(now: now, counters: &transportDrops)
            if drainObservations() == false { break }
            periodic()
            if stopping { break }
        }
        flushBatch(telemetry: &telemetry)
        logger.notice("stopping: writing final checkpoint", metadata: ["contexts": "\(engine.contexts.count)"])
        let createdAt = nextCheckpointTime()
        let boundary = journal.rotate(base: createdAt, now: now)
        if case let .failed(message) = checkpoints.writeNow(engine, now: createdAt) {
            let kept = journal.mode == .off ? "" : " (the journal since then is kept and replayed at the next start)"
            logger.critical("final checkpoint failed; state since the last good checkpoint will be lost\(kept): \(message)")
        } else {
            journal.directory.removeSegments(before: boundary)
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
        // With the journal, predictions wait for their batch's write: at the end of the drain, or sooner when it
        // grows past ``heldLimit`` predictions or 1 MiB (which bounds their latency and the memory held).
        // With telemetry, the messages this wake-up received (its backlog) and whether the budget ended it.
        var drained = 0, exhausted = true
        defer {
            flushBatch(telemetry: &telemetry)
            if measuring { telemetry!.drained(drained, exhaustedBudget: exhausted) }
        }
        for i in 0..<10_000 {
            if i & 255 == 255, ContinuousClock.now - start > .milliseconds(100) { return true }
            if pending.count >= heldLimit || journal.batch.bytes.count >= 1 << 20 { flushBatch(telemetry: &telemetry) }
            let timed = measuring && telemetry!.timesNext
            let handled: Handled?
            do {
                handled = try observations.receiveMultipart(maxFrames: 2, dontWait: true) { frames in
                    handle(frames, timed: timed, engine: &engine, pipeline: &pipeline)
                }
            } catch {
                exhausted = false
                if !error.isTerminated { logger.critical("receive failed: \(error)") }
                return false
            }
            guard let handled else { exhausted = false; return true }
            drained &+= 1
            if measuring {
                telemetry!.countReceived()
                switch handled {
                case let .sent(nanoseconds):
                    telemetry!.published(engine: engine, pipeline: pipeline, nanoseconds: timed ? nanoseconds : nil)
                case let .held(received):
                    // Its latency is taken when its batch is handed to the PUB (flushBatch).
                    telemetry!.published(engine: engine, pipeline: pipeline, nanoseconds: nil)
                    if timed { heldLatency.append((engine.lastModelIndex, received)) }
                case .none:
                    break
                }
            }
        }
        return true
    }

    /// What became of one message's prediction.
    private enum Handled {
        /// Sent to the subscribers, `nanoseconds` after it was received (when timed; 0 otherwise).
        case sent(nanoseconds: Int64)
        /// Held until its journal batch is written (``flushBatch(telemetry:)`` sends it); received at `received`
        /// (MonotonicNanos, when timed).
        case held(received: Int64)
        /// Dropped or refused, or its send failed (counted and logged).
        case none
    }

    private func handle(
        _ frames: borrowing ZMQFrames, timed: Bool, engine: inout PredictionEngine, pipeline: inout MessagePipeline
    ) -> Handled {
        let received = timed ? MonotonicNanos.now() : 0
        guard frames.count == 2 else {
            drop("bad_frames", "message has \(frames.count) frame(s); send exactly two: [stream id][payload]", stream: nil)
            return .none
        }
        let topic = frames[0]
        let outcome = pipeline.handle(topic: topic, body: frames[1], engine: &engine, now: now)
        // Whatever the engine took goes into the batch, refused or not: a refusal may have touched the stream
        // (non_finite_state resets it), and replay must repeat that.
        if journal.isAppending, pipeline.reachedEngine { journal.record(topic: topic, body: frames[1], now: now) }
        switch outcome {
        case .publish:
            break
        case let .drop(reason, message, stream):
            drop(reason, message, stream: stream)
            return .none
        case let .refused(reason, message, stream):
            log(reason, message, stream: stream)
            return .none
        }
        if journal.isAppending {
            // Held until the batch is journaled (flushBatch).
            pending.append(topic: topic, payload: pipeline.payload)
            return .held(received: received)
        }
        let handedOver = timed ? MonotonicNanos.now() : 0
        return pipeline.payload.withUnsafeBytes { publish(topic: topic, payload: $0) } ? .sent(nanoseconds: handedOver &- received) : .none
    }

    /// Sends one prediction; a full subscriber queue or a send error is counted (``transportDrops``) and logged.
    private func publish(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Bool {
        let sent: Bool
        do {
            sent = try predictions.send(topic: topic, payload: payload, dontWait: true)
        } catch {
            drop("publish_failed", "\(error)", stream: String(decoding: topic, as: UTF8.self))
            return false
        }
        if !sent {
            drop("publish_hwm", "a subscriber is too slow: sockets.predictions.send_hwm reached, prediction dropped",
                 stream: String(decoding: topic, as: UTF8.self))
        }
        return sent
    }

    /// Writes the batch's journal records (one write, fdatasync with `fsync`), then sends the predictions held for
    /// it; with telemetry, each held prediction's latency runs from its receipt to this send.
    private func flushBatch(telemetry: inout TelemetryPublisher?) {
        journal.flush(now: now)
        guard pending.count > 0 else { return }
        if telemetry != nil, !heldLatency.isEmpty {
            let handedOver = MonotonicNanos.now()
            for (model, received) in heldLatency { telemetry!.latency(model: model, nanoseconds: handedOver &- received) }
            heldLatency.removeAll(keepingCapacity: true)
        }
        pending.sendAll { topic, payload in _ = publish(topic: topic, payload: payload) }
    }

    /// createdAt for the next checkpoint: now, or just after the previous one, so no two share a journal segment.
    private func nextCheckpointTime() -> Double {
        lastCheckpointAt = max(now, lastCheckpointAt.nextUp)
        return lastCheckpointAt
    }

    /// Starts a background checkpoint and, when it starts, a new journal segment at its snapshot; the segments
    /// before it are deleted once the checkpoint is durable.
    private func startCheckpoint() {
        let createdAt = max(now, lastCheckpointAt.nextUp)
        let directory = journal.directory
        let boundary = journal.nextSegmentSeq
        let started = checkpoints.writeInBackground(engine, now: createdAt) { directory.removeSegments(before: boundary) }
        guard started else { return }
        lastCheckpointAt = createdAt
        _ = journal.rotate(base: createdAt, now: now)
    }

    /// Counts a drop the engine did not see (in the loop's own ``transportDrops``), and logs it (rate-limited per reason).
    private func drop(_ reason: String, _ message: String, stream: String?) {
        transportDrops.count(reason)
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
                // The journal replays under the models of the next start: a checkpoint now puts the streams made
                // under the old definitions into it.
                if !changed.isEmpty, journal.mode != .off { startCheckpoint() }
            case let .reloadAllowLists(fresh):
                security.reloadAllowLists(from: fresh)
            case .checkpoint:
                startCheckpoint()
            case .stop:
                stopping = true
            }
        }
        if now >= nextEviction {
            // Eviction scans every context: sweep at a tenth of the TTL (1–60 s), so a context outlives it by ≤ 10 %.
            nextEviction = now + min(max(config.limits.idleTTLSeconds / 10, 1), 60)
            let removed = engine.evictIdle(now: now)
            if removed > 0 {
                journal.recordEviction(now: now)
                journal.flush(now: now)
                logger.info("evicted idle contexts", metadata: ["count": "\(removed)", "idle_ttl_seconds": "\(config.limits.idleTTLSeconds)"])
            }
        }
        if now >= nextCheckpoint {
            nextCheckpoint = now + config.state.checkpointIntervalSeconds
            startCheckpoint()
        }
        telemetry?.tick(engine: engine, transportDrops: transportDrops, now: now)
        if now >= nextStats {
            nextStats = now + config.logging.statsIntervalSeconds
            reportStats()
            reportSlowMemory()
        }
    }

    /// Logs each model's learned slow memory that moved materially since it was last logged
    /// (``ModelLearner/change(since:)`` says what counts as material for each kind).
    private func reportSlowMemory() {
        for (name, change) in engine.learning.changes(since: &reportedLearners) {
            var metadata: Logger.Metadata = ["model": "\(name)"]
            for (key, value) in change.fields { metadata[key] = "\(value)" }
            logger.notice("slow memory of model '\(name)' changed: \(change.summary)", metadata: metadata)
        }
    }

    /// The periodic stats entry (fixed MESSAGE_ID) to the journal, and the same figures as STATUS= (sent now).
    private func reportStats() {
        stats.modelNames = engine.models.map(\.name)
        let entry = stats.report(
            current: engine.counters.adding(transportDrops), now: now, contexts: engine.contexts.count,
            extraFields: [JournalField("CHECKPOINT", checkpoints.health.statusText())])
        health.statsSummary = entry.statusLine
        if Journal.isAvailable {
            Journal.send(entry.journalFields())
        } else {
            logger.info("\(entry.message)", metadata: entry.metadata)
        }
    }
}
