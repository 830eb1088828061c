extension DaemonConfiguration {
    /// `state.journal`: how accepted observations are made durable between checkpoints (docs/reliability.md).
    public enum JournalMode: String, Sendable, Equatable, CaseIterable {
        /// No journal: a kill -9 loses what arrived since the last checkpoint.
        case off
        /// Each poll batch is written (write(2)) before its predictions are sent: survives kill -9 and crashes.
        case write
        /// As `write`, then fdatasync before the predictions are sent: survives a power cut too.
        case fsync
    }
}
