import PredictorCore

/// A configured model: its name, the stream-id prefix it serves, and its slow memory.
public struct ModelDefinition: Sendable, Equatable {
    /// Unique name (the key under `model.` in the configuration).
    public var name: String
    /// Streams whose id starts with this prefix use this model; the longest matching prefix wins ("" matches all).
    public var match: String
    public var spec: ModelSpec
    /// Whether and how the slow memory learns from this model's contexts.
    public var learning: LearningOptions

    public init(name: String, match: String, spec: ModelSpec, learning: LearningOptions = .off) {
        self.name = name
        self.match = match
        self.spec = spec
        self.learning = learning
    }
}
