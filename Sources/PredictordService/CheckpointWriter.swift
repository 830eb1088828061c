import Dispatch
import Foundation
import CMalloc
import Logging
import PredictorEngine
import PredictordState
import PredictordTelemetry
import Synchronization

/// Writes checkpoints on a background queue from a copy-on-write snapshot of the engine, so encoding and fsync
/// of millions of contexts never stall the poll loop; at most one write is in flight.
///
/// A failing disk (full, read-only) is logged at error level once per failure streak and once on recovery, and
/// shown in STATUS= through ``DaemonHealth``; the poll loop retries at the checkpoint interval.
final class CheckpointWriter: Sendable {
    /// Outcome of the last finished write, for STATUS= and the stats entry.
    enum Outcome: Sendable, Equatable {
        case none
        case succeeded(bytes: Int, contexts: Int)
        case failed(String)
    }

    private let store: CheckpointStore
    private let logger: Logger
    private let queue = DispatchQueue(label: "predictord.checkpoint")
    private let daemonHealth: DaemonHealth
    /// Seconds between attempts (state.checkpoint_interval_seconds; 0 = only at shutdown), for the log.
    private let retryInterval: Double
    /// Where each attempt's result, size and duration go for /metrics (nil without HTTP).
    private let telemetry: TelemetryHub?
    private let state = Mutex<(inFlight: Bool, last: Outcome, health: CheckpointHealth)>((false, .none, CheckpointHealth()))

    init(store: CheckpointStore, logger: Logger, health: DaemonHealth, retryInterval: Double, telemetry: TelemetryHub? = nil) {
        self.store = store
        self.telemetry = telemetry
        self.logger = logger
        self.daemonHealth = health
        self.retryInterval = retryInterval
        health.checkpointStatus = CheckpointHealth().statusText()
    }

    /// Notes the checkpoint restored at start, so STATUS= says so instead of "no checkpoint yet".
    func restored(createdAt: Double) {
        let health = state.withLock { s in
            s.health.restoredAt = createdAt
            return s.health
        }
        daemonHealth.checkpointStatus = health.statusText()
    }

    var lastOutcome: Outcome { state.withLock { $0.last } }
    var health: CheckpointHealth { state.withLock { $0.health } }

    /// Starts a background write of `engine` as of `now`; false (and nothing queued) while a previous one runs.
    /// `onDurable` runs on the checkpoint queue after the checkpoint is written and synced.
    @discardableResult
    func writeInBackground(_ engine: PredictionEngine, now: Double, onDurable: (@Sendable () -> Void)? = nil) -> Bool {
        let started = state.withLock { s -> Bool in
            if s.inFlight { return false }
            s.inFlight = true
            return true
        }
        guard started else {
            logger.warning("checkpoint skipped: the previous one is still being written (raise state.checkpoint_interval_seconds?)")
            return false
        }
        let snapshot = Snapshot(engine)
        queue.async { [self] in
            if case .succeeded = write(snapshot.take(), now: now) { onDurable?() }
            state.withLock { $0.inFlight = false }
            // The write freed its encode buffers and the contexts the loop copied meanwhile (copy-on-write); glibc
            // keeps such memory, per thread arena, at its peak unless trimmed, so RSS rose a step per checkpoint.
            Self.returnFreedMemory()
        }
        return true
    }

    /// Hands the engine snapshot to the write once, so the store can release it right after encoding: a closure
    /// capture would hold it, and the live engine would keep copying the contexts it shares, until the fsync ends.
    private final class Snapshot: Sendable {
        private let engine: Mutex<PredictionEngine?>
        init(_ engine: PredictionEngine) { self.engine = Mutex(engine) }
        func take() -> PredictionEngine { engine.withLock { $0.take() }! }
    }

    /// Gives memory freed by the heap back to the kernel (glibc `malloc_trim`; nothing elsewhere).
    private static func returnFreedMemory() {
        _ = malloc_trim(0)
    }

    /// Waits for any background write, then writes `engine` synchronously (the final checkpoint at shutdown).
    func writeNow(_ engine: PredictionEngine, now: Double) -> Outcome {
        queue.sync {}
        return write(engine, now: now)
    }

    /// Writes one checkpoint, records the outcome in the failure streak, logs the streak's transitions and
    /// publishes the checkpoint part of STATUS=.
    @discardableResult
    private func write(_ engine: consuming PredictionEngine, now: Double) -> Outcome {
        let outcome: Outcome
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            let nanos = elapsed.components.seconds &* 1_000_000_000 &+ elapsed.components.attoseconds / 1_000_000_000
            if case let .succeeded(bytes, _) = outcome {
                telemetry?.recordCheckpoint(bytes: bytes, durationNanoseconds: nanos, at: now)
            } else {
                telemetry?.recordCheckpoint(bytes: nil, durationNanoseconds: nanos, at: now)
            }
        }
        do {
            let result = try store.write(consume engine, createdAt: now)
            logger.debug("checkpoint written", metadata: [
                "bytes": "\(result.bytes)", "contexts": "\(result.contexts)", "duration": "\(result.duration)",
            ])
            outcome = .succeeded(bytes: result.bytes, contexts: result.contexts)
        } catch {
            outcome = .failed(error.message)
        }
        let (transition, health) = state.withLock { s -> (CheckpointHealth.Transition, CheckpointHealth) in
            s.last = outcome
            let transition = switch outcome {
            case let .failed(reason): s.health.recordFailure(reason, at: now)
            default: s.health.recordSuccess(at: now)
            }
            return (transition, s.health)
        }
        report(transition, health)
        daemonHealth.checkpointStatus = health.statusText()
        return outcome
    }

    /// One error line when a streak starts, one notice when it ends; repeats of the same streak only at debug.
    private func report(_ transition: CheckpointHealth.Transition, _ health: CheckpointHealth) {
        let retry = retryInterval > 0 ? "retrying every \(retryInterval) s" : "no periodic retry (state.checkpoint_interval_seconds = 0)"
        switch transition {
        case .ok:
            break
        case .startedFailing:
            logger.error("checkpoint failing; predictions continue and the previous checkpoint is kept, \(retry): \(health.lastError ?? "")", metadata: [
                "directory": "\(store.directory)",
            ])
        case .stillFailing:
            logger.debug("checkpoint still failing", metadata: [
                "attempts": "\(health.failures)", "reason": "\(health.lastError ?? "")",
            ])
        case let .recovered(failures, since):
            logger.notice("checkpoint recovered after \(failures) failed attempt(s) since \(CheckpointHealth.utc(since))", metadata: [
                "directory": "\(store.directory)", "failed_attempts": "\(failures)",
            ])
        }
    }
}
