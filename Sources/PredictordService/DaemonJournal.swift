import Logging
import PredictorEngine
import PredictordConfig
import PredictordState
import Systemd

/// The daemon's journal (state.journal): replays it at start, collects each poll batch's messages and writes them
/// (one write, fdatasync with `fsync`) before the batch's predictions are sent, and starts a new segment at every
/// checkpoint snapshot so the segments that checkpoint absorbs can be deleted once it is durable.
///
/// Poll thread only. A failed append (full or read-only disk) stops appending to that segment (it now has a gap),
/// is logged once per streak and shown in STATUS=; predictions go on, and every checkpoint snapshot retries with a
/// fresh segment.
final class DaemonJournal {
    let mode: DaemonConfiguration.JournalMode
    let directory: JournalDirectory
    /// The records of the current poll batch.
    private(set) var batch = JournalBatch()
    private var writer: JournalWriter?
    private var nextSeq: UInt64 = 1
    private var streak = CheckpointHealth()
    private let logger: Logger
    private let health: DaemonHealth

    init(mode: DaemonConfiguration.JournalMode, directory: String, logger: Logger, health: DaemonHealth) {
        self.mode = mode
        self.directory = JournalDirectory(directory: directory)
        self.logger = logger
        self.health = health
    }

    /// The seq the next new segment gets.
    var nextSegmentSeq: UInt64 { nextSeq }

    /// True while batches are being journaled (mode on and the current segment healthy).
    var isAppending: Bool { writer != nil }

    /// Replays the segments that follow the checkpoint written at `base` (nil: none loaded) into `engine` (its
    /// counters left as they were: the replayed messages were counted by the previous run), logs what it found,
    /// and opens the segment to append to. Runs whatever the mode, so turning the journal off loses nothing.
    ///
    /// A long replay (up to one checkpoint interval of traffic, at the engine's speed) asks systemd for 30 s more
    /// start-up time every second (EXTEND_TIMEOUT_USEC) and logs its progress, so TimeoutStartSec does not kill it.
    func recover(engine: inout PredictionEngine, pipeline: inout MessagePipeline, base: Double?, now: Double) {
        let notifier = SystemdNotifier(), clock = ContinuousClock()
        var lastExtension = clock.now, replayed = 0
        var report = JournalRecovery.Report()
        engine.uncounted { engine in
            report = JournalRecovery(directory: directory).run(base: base, now: now) { record in
                replayed += record.count
                if clock.now - lastExtension >= .seconds(1) {
                    lastExtension = clock.now
                    notifier.extendTimeout(by: .seconds(30))
                    logger.info("replaying the journal: \(replayed) message(s) so far")
                }
                switch record.kind {
                case .messages:
                    let complete = record.forEachMessage { topic, body in
                        _ = pipeline.handle(topic: topic, body: body, engine: &engine, now: record.now)
                    }
                    if !complete { logger.error("journal record of \(record.count) message(s) does not parse; replayed what it could") }
                case .eviction:
                    engine.evictIdle(now: record.now)
                }
            }
        }
        nextSeq = report.nextSeq
        if !report.replayed.isEmpty {
            logger.notice("replayed the journal after the checkpoint: \(report.messages) message(s) in \(report.records) batch(es) from \(report.replayed.count) segment(s)", metadata: [
                "messages": "\(report.messages)", "segments": "\(report.replayed.map { "\($0)" }.joined(separator: ","))",
            ])
        }
        if let torn = report.torn {
            logger.warning("journal segment \(directory.path(seq: torn.seq)) ended in \(torn.bytes) byte(s) of an incomplete or corrupt batch (a write cut by a crash); cut off. Its predictions were never sent", metadata: [
                "segment": "\(directory.path(seq: torn.seq))", "torn_bytes": "\(torn.bytes)",
            ])
        }
        for (path, reason) in report.orphaned {
            logger.error("journal segment not replayed and moved aside: \(reason)", metadata: ["moved_to": "\(path)"])
        }
        guard mode != .off else { return }
        if let last = report.last {
            do {
                writer = try JournalWriter(continuing: last.header, path: last.path, validLength: last.validLength, sync: mode == .fsync)
                return
            } catch {
                logger.error("cannot append to journal segment \(last.path): \(error.message); starting a new one that continues it")
                open(base: base, previous: (last.header.seq, last.validLength), now: now)
                return
            }
        }
        open(base: base, previous: nil, now: now)
    }

    /// Adds one message that reached the engine to the current batch (only while appending).
    func record(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, now: Double) {
        batch.append(topic: topic, body: body, now: now)
    }

    /// Adds an idle sweep that removed contexts (it changes learned slow memory, so replay must repeat it).
    func recordEviction(now: Double) {
        if writer != nil { batch.appendEviction(now: now) }
    }

    /// Writes the current batch (one write; fdatasync with `fsync`); call before sending the batch's predictions.
    func flush(now: Double) {
        guard !batch.isEmpty else { return }
        defer { batch.removeAll() }
        guard let writer else { return }
        batch.seal()
        let failure: CheckpointError? = batch.bytes.withUnsafeBytes { bytes in
            do throws(CheckpointError) { try writer.append(bytes) } catch { return error }
            return nil
        }
        if let failure {
            self.writer = nil
            fail(failure.message, now: now)
        }
    }

    /// At a checkpoint snapshot of `base` (its createdAt): starts the next segment and returns its seq, so the
    /// segments before it can be deleted once that checkpoint is durable. The batch must have been flushed.
    func rotate(base: Double, now: Double) -> UInt64 {
        let boundary = nextSeq
        guard mode != .off else { return boundary }
        let previous = writer.map { (seq: $0.header.seq, length: $0.length) }
        writer = nil
        open(base: base, previous: previous, now: now)
        return boundary
    }

    /// Creates segment `nextSeq` (a seq is never reused, even when creating it fails).
    private func open(base: Double?, previous: (seq: UInt64, length: UInt64)?, now: Double) {
        let header = JournalFormat.SegmentHeader(seq: nextSeq, base: base, previous: previous)
        nextSeq += 1
        do {
            writer = try JournalWriter(creating: header, in: directory, sync: mode == .fsync)
            if streak.isFailing {
                let (failures, since) = (streak.failures, streak.failingSince ?? now)
                _ = streak.recordSuccess(at: now)
                logger.notice("journal recovered after \(failures) failed attempt(s) since \(CheckpointHealth.utc(since)); observations are journaled again from this checkpoint on", metadata: [
                    "segment": "\(directory.path(seq: header.seq))",
                ])
                health.journalStatus = ""
            }
        } catch {
            fail(error.message, now: now)
        }
    }

    private func fail(_ reason: String, now: Double) {
        if streak.recordFailure(reason, at: now) == .startedFailing {
            logger.error("journal failing; predictions continue, but a kill -9 now loses what arrived since the last checkpoint; retrying at every checkpoint: \(reason)", metadata: [
                "directory": "\(directory.directory)",
            ])
        }
        let attempts = streak.failures == 1 ? "1 attempt" : "\(streak.failures) attempts"
        health.journalStatus = "journal failing since \(CheckpointHealth.utc(streak.failingSince ?? now)) (\(attempts)): \(reason.prefix(160))"
    }
}
