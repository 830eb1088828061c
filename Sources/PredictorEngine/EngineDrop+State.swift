extension EngineDrop {
    /// Reasons the engine refuses a message before touching any stream or learner (limits, routing, seq order):
    /// such a message need not be journaled. Any other refusal may have changed state (e.g. `non_finite_state`
    /// resets the stream, a refused HMM symbol may already have adopted new parameters), so it is kept.
    public static func leavesStateUntouched(_ reason: String) -> Bool {
        switch reason {
        case "unknown_stream", "context_limit", "prefix_context_limit", "seq_not_increasing", "topic_too_long", "vector_too_long":
            true
        default:
            false
        }
    }
}
