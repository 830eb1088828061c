import PredictorCore

/// An online-EM learner the engine runs (``EMLearning``): where its family's HMM sits in a ``ModelSpec``, which
/// observations feed it, and how its filters take new parameters. Symbol and Gaussian HMMs share everything else.
public protocol EngineHMMLearner: OnlineHMMLearner {
    /// Whether `spec` is a model of this family (no copy of its parameters: asked on every message).
    static func serves(_ spec: ModelSpec) -> Bool
    /// The HMM of a `forward` or `dual` model of this family (nil for every other model).
    static func model(of spec: ModelSpec) -> Parameters?
    /// The segment element of an observation (nil when the observation is not this family's kind).
    static func element(of observation: Observation) -> Element?
    /// `parameters` in the form ``AnyPredictor/switchParameters(toFamily:)`` and ``AnyPredictor/restarting(with:)`` take.
    static func family(_ parameters: Parameters) -> HMMFamilyParameters
}

extension HMMLearner: EngineHMMLearner {
    public static func serves(_ spec: ModelSpec) -> Bool {
        if case .forward = spec { true } else if case .dual = spec { true } else { false }
    }

    public static func model(of spec: ModelSpec) -> HMMParameters? { spec.hmmFamily?.symbol }

    public static func element(of observation: Observation) -> Int? {
        if case let .symbol(z) = observation { z } else { nil }
    }

    public static func family(_ parameters: HMMParameters) -> HMMFamilyParameters { .symbol(parameters) }
}

extension GaussianHMMLearner: EngineHMMLearner {
    public static func serves(_ spec: ModelSpec) -> Bool {
        if case .gaussianForward = spec { true } else if case .gaussianDual = spec { true } else { false }
    }

    public static func model(of spec: ModelSpec) -> GaussianHMMParameters? { spec.hmmFamily?.gaussian }

    public static func element(of observation: Observation) -> Double? {
        if case let .series(y) = observation, y.count == 1 { y[0] } else { nil }
    }

    public static func family(_ parameters: GaussianHMMParameters) -> HMMFamilyParameters { .gaussian(parameters) }
}
