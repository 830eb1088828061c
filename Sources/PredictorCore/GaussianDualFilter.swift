import RealModule

/// The dual filter (``DualFilter``) for an HMM with Gaussian emissions (`kind: dual` with `means`, `variances`):
/// the same O(H d²) backward pass, over stored likelihood vectors c̃_s in place of emission columns.
///
/// Why scaling c_s is exact. (i) The identity ρ(G + eU) − U = ρ(c ⊙ G)/ρ(c), e = 2c − 1, uses only that c > 0
/// and ρ·c ∉ {0, 1} (it divides by 1 − ē² = 4 ρ·c (1 − ρ·c)), not that c is a probability. (ii) Online, every ρ_s
/// in the window is an earlier output; if those are exact, the pass starts at u = ρ_{t−H} = π_{t−H}, and at
/// u = ρ_s = π_s one step is π_s ⊙ c_s A / π_s(c_s), Bayes' rule, so by induction u = π_s at every position and
/// the output is π_t. (iii) Bayes' rule is invariant to c_s → κ_s c_s for any κ_s > 0. So any positive scaling
/// with ρ_s·κ_s c_s ∉ {0, 1} yields the forward filter; we take κ_s with max_x κ_s c_s(x) = ½, which gives
/// a = ρ_s·c̃_s in (0, ½] (a = 0 is refused as impossible), so ē = 2a − 1 is in (−1, 0] and 1 − ē² = 4a(1 − a) > 0,
/// and the largest component never underflows whatever y is. The log-likelihood adds back log(1/κ_s) = log 2 + max_x log c_s(x).
public struct GaussianDualFilter: OnlinePredictor {
    public static let kind = "dual"

    public private(set) var parameters: GaussianDualFilterParameters
    public private(set) var state: GaussianDualFilterState
    /// Scratch (3·d entries: u, u A and the new c̃), not state.
    private var scratch: [Double]

    public init(parameters: GaussianDualFilterParameters) {
        self.parameters = parameters
        state = GaussianDualFilterState(parameters: parameters)
        scratch = [Double](repeating: 0, count: 3 * parameters.hmm.states)
    }

    public init(parameters: GaussianDualFilterParameters, state: GaussianDualFilterState) throws(StateDecodingError) {
        try state.validate(for: parameters)
        self.init(parameters: parameters)
        self.state = state
    }

    public var logLikelihood: Double { state.logLikelihood }

    /// Puts the filter under another HMM of the same number of states, keeping its window (online EM's switch): the
    /// stored c̃ₛ stay the evidence of the past values as it was evaluated, the sweep uses the new A from now on.
    public mutating func adopt(_ hmm: GaussianHMMParameters) -> Bool {
        guard hmm.states == parameters.hmm.states, let next = try? GaussianDualFilterParameters(hmm: hmm, window: parameters.window)
        else { return false }
        parameters = next
        return true
    }

    /// The current estimate ρ_n of the predictive measure π_n (a fresh array; not for the hot path).
    public var measure: [Double] {
        let d = parameters.hmm.states, slot = state.count % parameters.window
        return Array(state.measures[(slot * d)..<(slot * d + d)])
    }

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        let y = try GaussianHMMPrediction.value(of: observation, model: Self.kind)
        let d = parameters.hmm.states, h = parameters.window, n = state.count
        let previous = state.measures.withUnsafeBufferPointer { parameters.hmm.mixtureMoments($0.baseAddress! + (n % h) * d).mean }
        guard let logP = Self.step(state: &state, scratch: &scratch, parameters: parameters, value: y) else {
            throw .impossibleValue(y)
        }
        state.count = n + 1
        state.logLikelihood += logP
        fill(&prediction, surprise: -logP, error: y - previous)
    }

    /// One step in place (the count is the caller's); returns log p(y | past), or nil (state untouched) when the
    /// density is 0 or not finite. Static with borrowed parameters, so no step copies them (``GaussianForwardFilter``).
    @inline(__always)
    private static func step(state: inout GaussianDualFilterState, scratch: inout [Double],
                             parameters: GaussianDualFilterParameters, value y: Double) -> Double? {
        let d = parameters.hmm.states, h = parameters.window, n = state.count
        return state.measures.withUnsafeMutableBufferPointer { mb in
            state.likelihoods.withUnsafeMutableBufferPointer { lb in
                scratch.withUnsafeMutableBufferPointer { sb in
                    parameters.hmm.transition.withUnsafeBufferPointer { ab -> Double? in
                        let rho = mb.baseAddress!, stored = lb.baseAddress!, A = ab.baseAddress!
                        let u = sb.baseAddress!, v = sb.baseAddress! + d, c = sb.baseAddress! + 2 * d
                        let top = parameters.hmm.scaledLikelihood(y, scale: 0.5, into: c)
                        let current = rho + (n % h) * d
                        var p = 0.0
                        for x in 0..<d { p += current[x] * c[x] }
                        guard p > 0, p.isFinite else { return nil }
                        let result: UnsafeMutablePointer<Double> = switch d {
                        case 2: Self.sweep(u, v, rho, stored, c, A, states: 2, window: h, count: n)
                        case 4: Self.sweep(u, v, rho, stored, c, A, states: 4, window: h, count: n)
                        default: Self.sweep(u, v, rho, stored, c, A, states: d, window: h, count: n)
                        }
                        guard HMMKernels.clipAndNormalise(result, states: d) else { return nil }
                        let keep = stored + (n % h) * d, out = rho + ((n + 1) % h) * d
                        for x in 0..<d { keep[x] = c[x]; out[x] = result[x] }
                        return Double.log(p) + Double.log(2) + top
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func sweep(_ u: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>,
                              _ rho: UnsafePointer<Double>, _ stored: UnsafePointer<Double>, _ current: UnsafePointer<Double>,
                              _ A: UnsafePointer<Double>, states d: Int, window h: Int, count n: Int) -> UnsafeMutablePointer<Double> {
        HMMKernels.dualSweep(u, v, rho, A, states: d, window: h, count: n) { s, slot in
            (s == n ? current : stored + slot * d, 1)
        }
    }

    private func fill(_ prediction: inout Prediction, surprise: Double, error: Double) {
        let d = parameters.hmm.states, slot = state.count % parameters.window
        let moments = state.measures.withUnsafeBufferPointer { parameters.hmm.mixtureMoments($0.baseAddress! + slot * d) }
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
        state = GaussianDualFilterState(parameters: parameters)
    }
}

extension GaussianDualFilter {
    /// The central intervals of the current predictive mixture (``Prediction/fillMixtureIntervals(_:parameters:weights:)``).
    public func fillIntervals(_ prediction: inout Prediction, levels: IntervalLevels) {
        let d = parameters.hmm.states, slot = state.count % parameters.window
        state.measures.withUnsafeBufferPointer {
            prediction.fillMixtureIntervals(levels, parameters: parameters.hmm, weights: $0.baseAddress! + slot * d)
        }
    }
}
