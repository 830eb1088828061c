import PredictorCore

/// How a model's slow memory learns from its contexts (`model.<name>.learn*` in the configuration).
public struct LearningOptions: Sendable, Equatable {
    /// Whether the model learns across contexts at all (`learn`).
    public var enabled: Bool
    /// RLS: pairs a context must have learned before its weights join the learned prior mean (`learn_after`).
    public var minimumPairs: Int
    /// HMM: symbols per segment handed to online EM (`learn_segment`).
    public var segmentLength: Int
    /// HMM: step-size offset k₀ of η_k = (k + k₀)^(−κ) (`learn_offset`).
    public var stepOffset: Double
    /// HMM: step-size exponent κ in (0.5, 1] (`learn_exponent`).
    public var stepExponent: Double
    /// HMM: weight ε of the uniform row mixed into every learned row, so no probability is 0 (`learn_smoothing`).
    public var smoothing: Double
    /// Learning steps between two publications to the contexts (`learn_refresh`): absorbed segments for HMM models
    /// (of the learned A, C, μ), gradient steps for softmax models (of the learned β).
    public var refreshInterval: Int
    /// Softmax: base step size of the normalised gradient steps on log β (`learn_rate`).
    public var betaRate: Double

    public init(
        enabled: Bool = false, minimumPairs: Int = 0, segmentLength: Int = HMMLearner.defaultSegmentLength,
        stepOffset: Double = HMMLearner.defaultOffset, stepExponent: Double = HMMLearner.defaultExponent,
        smoothing: Double = HMMLearner.defaultSmoothing, refreshInterval: Int = LearningOptions.defaultRefreshSegments,
        betaRate: Double = SoftmaxBetaLearner.defaultRate
    ) {
        self.enabled = enabled
        self.minimumPairs = minimumPairs
        self.segmentLength = segmentLength
        self.stepOffset = stepOffset
        self.stepExponent = stepExponent
        self.smoothing = smoothing
        self.refreshInterval = refreshInterval
        self.betaRate = betaRate
    }

    public static let off = LearningOptions()
    /// Default `learn_refresh`.
    public static let defaultRefreshSegments = 16
}
