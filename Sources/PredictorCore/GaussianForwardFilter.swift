import RealModule

/// The exact forward filter of an HMM with Gaussian emissions (`kind: forward` with `means`, `variances`):
/// πₜ₊₁ = (πₜ ⊙ cₜ) A / πₜ(cₜ) with cₜ(x) = N(yₜ; mₓ, vₓ), O(d²) per value.
///
/// Bayes' rule is invariant to scaling cₜ by any κ > 0 (κ cancels between πₜ ⊙ κcₜ and πₜ(κcₜ)), so the filter
/// uses cₜ scaled to max 1 and adds the log of the scale back to the log-likelihood: no underflow for any y.
/// Publishes the predictive mixture Σ πₜ₊₁(x) N(mₓ, vₓ): its mean, variance, and surprise −log p(yₜ | past).
public struct GaussianForwardFilter: OnlinePredictor {
    public static let kind = "forward"

    public private(set) var parameters: GaussianHMMParameters
    public private(set) var state: ForwardFilterState
    /// Scratch (2·d entries: c and π ⊙ c), not state.
    private var scratch: [Double]

    public init(parameters: GaussianHMMParameters) {
        self.parameters = parameters
        state = ForwardFilterState(predictive: parameters.initial)
        scratch = [Double](repeating: 0, count: 2 * parameters.states)
    }

    public init(parameters: GaussianHMMParameters, state: ForwardFilterState) throws(StateDecodingError) {
        try state.validate(states: parameters.states)
        self.init(parameters: parameters)
        self.state = state
    }

    /// Puts the filter under other parameters of the same number of states, keeping π (online EM's switch);
    /// false, changing nothing, when the shapes differ.
    public mutating func adopt(_ other: GaussianHMMParameters) -> Bool {
        guard other.states == parameters.states else { return false }
        parameters = other
        return true
    }

    /// log p(y₀…yₙ₋₁) of the values absorbed so far, in nats.
    public var logLikelihood: Double { state.logLikelihood }

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        let y = try GaussianHMMPrediction.value(of: observation, model: Self.kind)
        let previous = state.predictive.withUnsafeBufferPointer { parameters.mixtureMoments($0.baseAddress!).mean }
        guard let logP = Self.step(pi: &state.predictive, scratch: &scratch, parameters: parameters, value: y) else {
            throw .impossibleValue(y)
        }
        state.count += 1
        state.logLikelihood += logP
        fill(&prediction, surprise: -logP, error: y - previous)
    }

    /// One step in place; returns log p(y | past), or nil (π untouched) when the density is 0 or not finite.
    ///
    /// Static, with the parameters a borrowed argument: read inside closures nested in the mutation of `state`, the
    /// stored `parameters` were copied every step (a retain and release of each of its arrays, half the step's time).
    @inline(__always)
    private static func step(pi: inout [Double], scratch: inout [Double], parameters: GaussianHMMParameters,
                             value y: Double) -> Double? {
        let d = parameters.states
        return pi.withUnsafeMutableBufferPointer { pb -> Double? in
            scratch.withUnsafeMutableBufferPointer { sb -> Double? in
                parameters.transition.withUnsafeBufferPointer { ab -> Double? in
                    let pi = pb.baseAddress!, c = sb.baseAddress!, w = sb.baseAddress! + d, A = ab.baseAddress!
                    let top = parameters.scaledLikelihood(y, scale: 1, into: c)
                    let p: Double? = switch d {
                    case 2: kernel(pi, c, w, A, states: 2)
                    case 4: kernel(pi, c, w, A, states: 4)
                    default: kernel(pi, c, w, A, states: d)
                    }
                    return p.map { Double.log($0) + top }
                }
            }
        }
    }

    /// π ← normalise((π ⊙ c) A); returns π(c), or nil (π untouched) when it is 0 or not finite.
    @inline(__always)
    static func kernel(_ pi: UnsafeMutablePointer<Double>, _ c: UnsafePointer<Double>, _ w: UnsafeMutablePointer<Double>,
                       _ A: UnsafePointer<Double>, states d: Int) -> Double? {
        var p = 0.0
        for x in 0..<d {
            let v = pi[x] * c[x]
            w[x] = v
            p += v
        }
        guard p > 0, p.isFinite else { return nil }
        HMMKernels.rowTimesMatrix(w, A, states: d, into: pi)
        var sum = 0.0
        for x in 0..<d { sum += pi[x] }
        let norm = 1 / sum
        for x in 0..<d { pi[x] *= norm }
        return p
    }

    private func fill(_ prediction: inout Prediction, surprise: Double, error: Double) {
        let moments = state.predictive.withUnsafeBufferPointer { parameters.mixtureMoments($0.baseAddress!) }
        GaussianHMMPrediction.fill(&prediction, count: state.count, mean: moments.mean, variance: moments.variance,
                                   surprise: surprise, error: error)
    }

    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        throw .wrongKind(model: Self.kind, expected: "series", got: "query")
    }

    public func currentPrediction(into prediction: inout Prediction) {
        fill(&prediction, surprise: .nan, error: .nan)
    }

    public mutating func reset() {
        state = ForwardFilterState(predictive: parameters.initial)
    }
}

extension GaussianForwardFilter {
    /// The central intervals of the current predictive mixture (``Prediction/fillMixtureIntervals(_:parameters:weights:)``).
    public func fillIntervals(_ prediction: inout Prediction, levels: IntervalLevels) {
        state.predictive.withUnsafeBufferPointer {
            prediction.fillMixtureIntervals(levels, parameters: parameters, weights: $0.baseAddress!)
        }
    }
}
