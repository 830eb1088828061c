/// How a model's slow memory learns from its contexts (`model.<name>.learn*` in the configuration).
public struct LearningOptions: Sendable, Equatable {
    /// Whether the model learns across contexts at all (`learn`).
    public var enabled: Bool
    /// RLS: pairs a context must have learned before its weights join the learned prior mean (`learn_after`).
    public var minimumPairs: Int

    public init(enabled: Bool = false, minimumPairs: Int = 0) {
        self.enabled = enabled
        self.minimumPairs = minimumPairs
    }

    public static let off = LearningOptions()
}
