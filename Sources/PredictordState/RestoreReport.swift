/// What a restore put back and what it lost, per reason and model, so the daemon can log exactly what was dropped.
public struct RestoreReport: Sendable, Equatable, CustomStringConvertible {
    /// Why a checkpointed context was not restored.
    public enum Reason: String, Sendable, Hashable, CaseIterable, Comparable {
        /// The engine has no model of that name (removed or renamed in the configuration).
        case modelRemoved = "model_removed"
        /// The engine's model of that name has different parameters (its encoded spec differs bitwise).
        case modelChanged = "model_changed"
        /// The state bytes do not decode for the model (corrupt, or the state format changed).
        case undecodableState = "undecodable_state"
        /// The stream id bytes are not valid UTF-8.
        case invalidStreamID = "invalid_stream_id"
        /// The engine's `limits.max_contexts` is full; the least recently active contexts are the ones skipped.
        case contextLimit = "context_limit"

        public static func < (a: Reason, b: Reason) -> Bool { a.rawValue < b.rawValue }

        /// What happened and what the operator can do.
        public var explanation: String {
            switch self {
            case .modelRemoved: "no model of this name is configured any more; their fast memory is lost"
            case .modelChanged: "the model's parameters changed since the checkpoint (the saved state belongs to the old ones); those streams start afresh"
            case .undecodableState: "the saved state does not decode for the model; those streams start afresh"
            case .invalidStreamID: "the stream id is not valid UTF-8"
            case .contextLimit: "limits.max_contexts is lower than the number of saved contexts; raise it to keep them"
            }
        }
    }

    /// A skip counter key: the reason and the model the contexts belonged to.
    public struct Skip: Sendable, Hashable, Comparable {
        public var reason: Reason
        public var model: String

        public init(reason: Reason, model: String) {
            self.reason = reason
            self.model = model
        }

        public static func < (a: Skip, b: Skip) -> Bool { (a.reason, a.model) < (b.reason, b.model) }
    }

    /// Contexts put back into the engine.
    public var restored: Int = 0
    /// Contexts put back, per model name.
    public var restoredByModel: [String: Int] = [:]
    /// Learned slow memory in the checkpoint that was not restored, by model name, with the reason (learning
    /// starts again from the configured model).
    public var discardedSlowMemory: [String: String] = [:]
    /// Contexts skipped, by reason and model.
    public var skipped: [Skip: Int] = [:]
    /// The first detailed error per skip key (stream and decoding error), for the journal.
    public var firstError: [Skip: String] = [:]

    public init() {}

    /// Total contexts skipped.
    public var totalSkipped: Int { skipped.values.reduce(0, +) }

    /// Contexts of `model` skipped for `reason`.
    public func skipped(_ reason: Reason, model: String) -> Int { skipped[Skip(reason: reason, model: model)] ?? 0 }

    /// Counts one skipped context, remembering the first detail for its key.
    mutating func skip(_ reason: Reason, model: String, detail: @autoclosure () -> String) {
        let key = Skip(reason: reason, model: model)
        skipped[key, default: 0] += 1
        if firstError[key] == nil { firstError[key] = detail() }
    }

    /// One line per skip key, sorted, e.g. `3 context(s) of model 'm' skipped (model_changed: …)`.
    public var skipLines: [String] {
        skipped.keys.sorted().map { key in
            var line = "\(skipped[key]!) context(s) of model '\(key.model)' skipped (\(key.reason.rawValue): \(key.reason.explanation))"
            if let detail = firstError[key] { line += "; first: \(detail)" }
            return line
        }
    }

    public var description: String {
        let discarded = discardedSlowMemory.sorted { $0.key < $1.key }.map {
            "learned slow memory of model '\($0.key)' discarded (\($0.value)); it learns again from the configured parameters"
        }
        return (["restored \(restored) context(s), skipped \(totalSkipped)"] + discarded + skipLines).joined(separator: "; ")
    }
}
