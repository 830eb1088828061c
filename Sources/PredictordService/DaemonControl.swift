import PredictorEngine
import PredictordConfig
import Synchronization

/// Requests from signal handlers to the poll thread, which applies them between messages.
public enum DaemonCommand: Sendable {
    /// New model definitions for new contexts (SIGHUP).
    case reload([ModelDefinition])
    /// Re-read CURVE allow-lists from a reloaded configuration (SIGHUP); they apply to new connections.
    case reloadAllowLists(DaemonConfiguration)
    /// Write a checkpoint now.
    case checkpoint
    /// Finish the current batch, write the final checkpoint, flush queued predictions and close the sockets (SIGTERM).
    case stop
}

/// A thread-safe mailbox the poll loop drains every iteration.
public final class DaemonControl: Sendable {
    private let pending = Mutex<[DaemonCommand]>([])

    public init() {}

    public func send(_ command: DaemonCommand) {
        pending.withLock { $0.append(command) }
    }

    /// Takes every pending command, oldest first.
    func drain() -> [DaemonCommand] {
        pending.withLock { commands in
            defer { commands.removeAll(keepingCapacity: true) }
            return commands
        }
    }
}
