import PredictorCore

/// The parameters of either HMM family, so one switch over the filters serves both (``EngineHMMLearner``).
public enum HMMFamilyParameters: Sendable {
    case symbol(HMMParameters)
    case gaussian(GaussianHMMParameters)

    /// The symbol HMM, or nil for a Gaussian one.
    var symbol: HMMParameters? { if case let .symbol(p) = self { p } else { nil } }
    /// The Gaussian HMM, or nil for a symbol one.
    var gaussian: GaussianHMMParameters? { if case let .gaussian(p) = self { p } else { nil } }
}

extension ModelSpec {
    /// The HMM of a `forward` or `dual` model, of either emission family (nil for other kinds).
    var hmmFamily: HMMFamilyParameters? {
        switch self {
        case let .forward(p): .symbol(p)
        case let .dual(p): .symbol(p.hmm)
        case let .gaussianForward(p): .gaussian(p)
        case let .gaussianDual(p): .gaussian(p.hmm)
        case .rls, .softmax, .forecast, .auto: nil
        }
    }
}

/// What HMM learning needs from a context's filter: its position, its predictive measure, and the same filter
/// under other parameters of the same shape.
extension AnyPredictor {
    /// Observations absorbed since the context began (nil for models that are not HMM filters).
    var hmmCount: Int? {
        switch self {
        case let .forward(b): b.value.state.count
        case let .dual(b): b.value.state.count
        case let .gaussianForward(b): b.value.state.count
        case let .gaussianDual(b): b.value.state.count
        case .rls, .softmax, .forecast, .auto: nil
        }
    }

    /// The symbol HMM the filter currently runs (learned parameters once adopted); nil for other models.
    var hmmParameters: HMMParameters? {
        switch self {
        case let .forward(b): b.value.parameters
        case let .dual(b): b.value.parameters.hmm
        case .rls, .softmax, .forecast, .auto, .gaussianForward, .gaussianDual: nil
        }
    }

    /// π_n, the filter's current predictive measure of the hidden state (empty for other models).
    var hmmMeasure: [Double] {
        switch self {
        case let .forward(b): b.value.state.predictive
        case let .dual(b): b.value.measure
        case let .gaussianForward(b): b.value.state.predictive
        case let .gaussianDual(b): b.value.measure
        case .rls, .softmax, .forecast, .auto: []
        }
    }

    /// Puts a symbol filter under `parameters`, keeping its state (see ``switchParameters(toFamily:)``).
    mutating func switchParameters(to parameters: HMMParameters) -> Bool { switchParameters(toFamily: .symbol(parameters)) }

    /// Puts the filter under `parameters`, keeping its state (it carries on from its π); false, changing nothing,
    /// when the family or the shapes do not fit. In place in the predictor's box (copied first only if shared).
    mutating func switchParameters(toFamily parameters: HMMFamilyParameters) -> Bool {
        switch consume self {
        case var .forward(b): defer { self = .forward(b) }; return parameters.symbol.map { PredictorBox.unique(&b).value.adopt($0) } ?? false
        case var .dual(b): defer { self = .dual(b) }; return parameters.symbol.map { PredictorBox.unique(&b).value.adopt($0) } ?? false
        case var .gaussianForward(b):
            defer { self = .gaussianForward(b) }; return parameters.gaussian.map { PredictorBox.unique(&b).value.adopt($0) } ?? false
        case var .gaussianDual(b):
            defer { self = .gaussianDual(b) }; return parameters.gaussian.map { PredictorBox.unique(&b).value.adopt($0) } ?? false
        case let .rls(b): self = .rls(b); return false
        case let .softmax(b): self = .softmax(b); return false
        case let .forecast(b): self = .forecast(b); return false
        case let .auto(b): self = .auto(b); return false
        }
    }

    /// A fresh filter of the same kind (and window) under `parameters`: the context starts over from their μ.
    func restarting(with parameters: HMMFamilyParameters) -> AnyPredictor? {
        switch (self, parameters) {
        case let (.forward, .symbol(p)): return .forward(ForwardFilter(parameters: p))
        case let (.dual(b), .symbol(p)):
            return (try? DualFilterParameters(hmm: p, window: b.value.parameters.window)).map { .dual(DualFilter(parameters: $0)) }
        case let (.gaussianForward, .gaussian(p)): return .gaussianForward(GaussianForwardFilter(parameters: p))
        case let (.gaussianDual(b), .gaussian(p)):
            return (try? GaussianDualFilterParameters(hmm: p, window: b.value.parameters.window))
                .map { .gaussianDual(GaussianDualFilter(parameters: $0)) }
        default: return nil
        }
    }
}
