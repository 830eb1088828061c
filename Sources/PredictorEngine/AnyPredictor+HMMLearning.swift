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

    /// Puts the filter under `parameters`, keeping its state (it carries on from its π); false, changing nothing,
    /// when the shapes do not fit. The payload is copied out and back, so the state's arrays stay unshared.
    mutating func switchParameters(to parameters: HMMParameters) -> Bool {
        switch self {
        case var .forward(f):
            guard f.adopt(parameters) else { return false }
            self = .forward(f)
        case var .dual(f):
            guard f.adopt(parameters) else { return false }
            self = .dual(f)
        case .rls, .softmax:
            return false
        }
        return true
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
