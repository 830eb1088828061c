import PredictorCore

/// What HMM learning needs from a context's filter: its position, its predictive measure, and the same filter
/// under other parameters of the same shape.
extension AnyPredictor {
    /// Symbols absorbed since the context began (nil for models that are not HMM filters).
    var hmmCount: Int? {
        switch self {
        case let .forward(b): b.value.state.count
        case let .dual(b): b.value.state.count
        case .rls, .softmax, .forecast, .auto, .gaussianForward, .gaussianDual: nil
        }
    }

    /// The HMM the filter currently runs (learned parameters once adopted); nil for other models.
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
        case .rls, .softmax, .forecast, .auto, .gaussianForward, .gaussianDual: []
        }
    }

    /// Puts the filter under `parameters`, keeping its state (it carries on from its π); false, changing nothing,
    /// when the shapes do not fit. In place in the predictor's box (copied first only if a snapshot shares it).
    mutating func switchParameters(to parameters: HMMParameters) -> Bool {
        switch consume self {
        case var .forward(b): defer { self = .forward(b) }; return PredictorBox.unique(&b).value.adopt(parameters)
        case var .dual(b): defer { self = .dual(b) }; return PredictorBox.unique(&b).value.adopt(parameters)
        case let .rls(b): self = .rls(b); return false
        case let .softmax(b): self = .softmax(b); return false
        case let .forecast(b): self = .forecast(b); return false
        case let .auto(b): self = .auto(b); return false
        case let .gaussianForward(b): self = .gaussianForward(b); return false
        case let .gaussianDual(b): self = .gaussianDual(b); return false
        }
    }

    /// A fresh filter of the same kind (and window) under `parameters`: the context starts over from their μ.
    func restarting(with parameters: HMMParameters) -> AnyPredictor? {
        switch self {
        case .forward:
            return .forward(ForwardFilter(parameters: parameters))
        case let .dual(b):
            guard let p = try? DualFilterParameters(hmm: parameters, window: b.value.parameters.window) else { return nil }
            return .dual(DualFilter(parameters: p))
        case .rls, .softmax, .forecast, .auto, .gaussianForward, .gaussianDual:
            return nil
        }
    }
}
