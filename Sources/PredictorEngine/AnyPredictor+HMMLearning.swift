import PredictorCore

/// What HMM learning needs from a context's filter: its position, its predictive measure, and the same filter
/// under other parameters of the same shape.
extension AnyPredictor {
    /// Symbols absorbed since the context began (nil for models that are not HMM filters).
    var hmmCount: Int? {
        switch self {
        case let .forward(f): f.state.count
        case let .dual(f): f.state.count
        case .rls, .softmax: nil
        }
    }

    /// π_n, the filter's current predictive measure of the hidden state (empty for other models).
    var hmmMeasure: [Double] {
        switch self {
        case let .forward(f): f.state.predictive
        case let .dual(f): f.measure
        case .rls, .softmax: []
        }
    }

    /// The same filter state under `parameters` (nil if the shapes do not fit): the filter carries on from its π.
    func switching(to parameters: HMMParameters) -> AnyPredictor? {
        switch self {
        case let .forward(f):
            return (try? ForwardFilter(parameters: parameters, state: f.state)).map(AnyPredictor.forward)
        case let .dual(f):
            guard let p = try? DualFilterParameters(hmm: parameters, window: f.parameters.window) else { return nil }
            return (try? DualFilter(parameters: p, state: f.state)).map(AnyPredictor.dual)
        case .rls, .softmax:
            return nil
        }
    }

    /// A fresh filter of the same kind (and window) under `parameters`: the context starts over from their μ.
    func restarting(with parameters: HMMParameters) -> AnyPredictor? {
        switch self {
        case .forward:
            return .forward(ForwardFilter(parameters: parameters))
        case let .dual(f):
            guard let p = try? DualFilterParameters(hmm: parameters, window: f.parameters.window) else { return nil }
            return .dual(DualFilter(parameters: p))
        case .rls, .softmax:
            return nil
        }
    }
}
