/// The outcome of ``CheckpointStore/load()``: nothing saved, a checkpoint, or a bad file moved out of the way.
public enum CheckpointLoad: Sendable, Equatable {
    /// No checkpoint file exists (first start).
    case none
    /// The checkpoint read and verified.
    case loaded(Checkpoint)
    /// The file was corrupt or foreign; it was renamed to `to` (kept for inspection) and nothing was restored.
    case movedAside(reason: CheckpointError, to: String)
}
