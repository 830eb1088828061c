import Dispatch
import Foundation
import Logging
import PredictorEngine
import PredictordState
import Synchronization

/// Writes checkpoints on a background queue from a copy-on-write snapshot of the engine, so encoding and fsync
/// of millions of contexts never stall the poll loop; at most one write is in flight.
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
    private let state = Mutex<(inFlight: Bool, last: Outcome)>((false, .none))

    init(store: CheckpointStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    var lastOutcome: Outcome { state.withLock { $0.last } }

    /// Starts a background write of `engine` as of `now`; false (and nothing queued) while a previous one runs.
    @discardableResult
    func writeInBackground(_ engine: PredictionEngine, now: Double) -> Bool {
        let started = state.withLock { s -> Bool in
            if s.inFlight { return false }
            s.inFlight = true
            return true
        }
        guard started else {
            logger.warning("checkpoint skipped: the previous one is still being written (raise state.checkpoint_interval_seconds?)")
            return false
        }
        queue.async { [self] in
            let outcome = write(engine, now: now)
            state.withLock { $0 = (false, outcome) }
        }
        return true
    }

    /// Waits for any background write, then writes `engine` synchronously (the final checkpoint at shutdown).
    func writeNow(_ engine: PredictionEngine, now: Double) -> Outcome {
        queue.sync {}
        let outcome = write(engine, now: now)
        state.withLock { $0.last = outcome }
        return outcome
    }

    private func write(_ engine: PredictionEngine, now: Double) -> Outcome {
        do {
            let result = try store.write(engine, createdAt: now)
            logger.debug("checkpoint written", metadata: [
                "bytes": "\(result.bytes)", "contexts": "\(result.contexts)", "duration": "\(result.duration)",
            ])
            return .succeeded(bytes: result.bytes, contexts: result.contexts)
        } catch {
            logger.error("checkpoint failed; predictions continue and the previous checkpoint is kept: \(error)", metadata: [
                "directory": "\(store.directory)",
            ])
            return .failed("\(error)")
        }
    }
}
