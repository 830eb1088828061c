import PredictorCore
import RealModule

/// What a learning context keeps of each published prediction, so that `error` and `surprise` score the next
/// observation against what subscribers were sent even when learning switches the parameters in between.
extension AnyPredictor {
    /// The part of a prediction the next observation is scored against.
    enum ScoredPart {
        /// HMM filters: the next-symbol law (`probabilities`); surprise = −log law[z].
        case symbolLaw
        /// Softmax series models: the mean; error = y − mean.
        case seriesMean
        /// Gaussian HMM filters: the predictive mixture (weights π, means, variances: 3·d numbers); error = y − its
        /// mean, surprise = −log its density at y (``GaussianMixtureScore``).
        case mixture
    }

    /// The part to keep for a context whose model learns, or nil where learning never changes a running context's
    /// parameters (RLS learns the prior of new contexts only; forecasters do not learn in the engine) or where no
    /// published prediction is scored (a labelled stream is scored at the x that comes with y).
    var scoredPart: ScoredPart? {
        switch self {
        case .forward, .dual: .symbolLaw
        case .gaussianForward, .gaussianDual: .mixture
        case let .softmax(b):
            if case .autoregressive = b.value.parameters.layout { .seriesMean } else { nil }
        case .rls, .forecast, .auto: nil
        }
    }

    /// 3·d, the length of a Gaussian filter's kept mixture (``ScoredPart/mixture``); nil for other kinds.
    package var mixtureLength: Int? {
        switch self {
        case let .gaussianForward(b): 3 * b.value.parameters.states
        case let .gaussianDual(b): 3 * b.value.parameters.hmm.states
        case .rls, .softmax, .forward, .dual, .forecast, .auto: nil
        }
    }

    /// Keeps a Gaussian filter's predictive mixture (``ScoredPart/mixture``) in `out`; other kinds leave it alone.
    func keepMixture(into out: inout [Double]) {
        switch self {
        case let .gaussianForward(b):
            b.value.state.predictive.withUnsafeBufferPointer {
                GaussianMixtureScore.keep($0.baseAddress!, parameters: b.value.parameters, into: &out)
            }
        case let .gaussianDual(b):
            let d = b.value.parameters.hmm.states, slot = b.value.state.count % b.value.parameters.window
            b.value.state.measures.withUnsafeBufferPointer {
                GaussianMixtureScore.keep($0.baseAddress! + slot * d, parameters: b.value.parameters.hmm, into: &out)
            }
        default: break
        }
    }

    /// The scale the filter's likelihood vectors are normalised to (½ in the dual filter's window, 1 otherwise).
    var likelihoodScale: Double {
        if case .gaussianDual = self { 0.5 } else { 1 }
    }
}

extension StreamContext {
    /// Keeps the part of `prediction` its next observation will be scored against (in place: no allocation once sized).
    mutating func keepPublished(_ prediction: borrowing Prediction) {
        switch predictor.scoredPart {
        case .symbolLaw?: Self.copy(prediction.probabilities, into: &published)
        case .seriesMean?: Self.copy(prediction.mean, into: &published)
        case .mixture?: predictor.keepMixture(into: &published)
        case nil: if !published.isEmpty { published.removeAll() }
        }
    }

    /// Re-scores the observation just absorbed against the kept publication: the predictor scored it against its
    /// own prediction, which differs from the published one when learning switched its parameters since.
    func scoreAgainstPublished(_ observation: Observation, into prediction: inout Prediction) {
        guard !published.isEmpty else { return }
        switch observation {
        case let .symbol(z):
            if z >= 0, z < published.count { prediction.surprise = -Double.log(published[z]) }
        case let .series(y) where predictor.scoredPart == .mixture:
            guard y.count == 1, published.count == predictor.mixtureLength, !prediction.error.isEmpty else { return }
            let (mean, logDensity) = GaussianMixtureScore.score(y[0], kept: published, scale: predictor.likelihoodScale)
            prediction.error[0] = y[0] - mean
            prediction.surprise = -logDensity
        case let .series(y):
            var c = 0
            while c < y.count, c < published.count, c < prediction.error.count {
                prediction.error[c] = y[c] - published[c]
                c &+= 1
            }
        case .labelled:
            break
        }
    }

    /// Index loop into reused storage: `destination = source` would share and later copy the prediction's buffer.
    private static func copy(_ source: [Double], into destination: inout [Double]) {
        if destination.count != source.count { destination = [Double](repeating: 0, count: source.count) }
        var i = 0
        while i < source.count {
            destination[i] = source[i]
            i &+= 1
        }
    }
}
