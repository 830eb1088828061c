/// What ``CheckpointStore/write(_:)`` did, for the journal: where, how many bytes and contexts, and how long it took.
public struct CheckpointWriteResult: Sendable, Equatable {
    /// The checkpoint file now in place.
    public var path: String
    /// File size in bytes (header and payload).
    public var bytes: Int
    /// Contexts and models saved.
    public var contexts: Int
    public var models: Int
    /// Wall time of encoding, writing, both fsyncs and the rename.
    public var duration: Duration

    public init(path: String, bytes: Int, contexts: Int, models: Int, duration: Duration) {
        self.path = path
        self.bytes = bytes
        self.contexts = contexts
        self.models = models
        self.duration = duration
    }
}
