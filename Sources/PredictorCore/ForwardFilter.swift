import RealModule

/// The exact HMM forward algorithm π_{t+1} = (π_t ⊙ c_t) A / π_t(c_t) (math.md §4), O(d²) per symbol.
///
/// π is renormalised every step, so arbitrarily long streams never underflow; the log-likelihood is kept as a sum.
public struct ForwardFilter: OnlinePredictor {
    public static let kind = "forward"

    public private(set) var parameters: HMMParameters
    public private(set) var state: ForwardFilterState
    /// Scratch for π ⊙ c / p (d entries): lives in the predictor, not the state, so steps do not allocate.
    private var scratch: [Double]

    public init(parameters: HMMParameters) {
        self.parameters = parameters
        state = ForwardFilterState(predictive: parameters.initial)
        scratch = [Double](repeating: 0, count: parameters.states)
    }

    public init(parameters: HMMParameters, state: ForwardFilterState) throws(StateDecodingError) {
        try state.validate(for: parameters)
        self.parameters = parameters
        self.state = state
        scratch = [Double](repeating: 0, count: parameters.states)
    }

    /// Continues the context under other parameters of the same shape (learned slow memory), keeping π; no allocation.
    /// Returns false, changing nothing, when the states or symbols differ.
    public mutating func adopt(_ other: HMMParameters) -> Bool {
        guard other.states == parameters.states, other.symbols == parameters.symbols else { return false }
        parameters = other
        return true
    }

    /// log P(z_0..z_{n−1}) of the symbols absorbed so far, in nats.
    public var logLikelihood: Double { state.logLikelihood }

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        guard case let .symbol(z) = observation else {
            throw .wrongKind(model: Self.kind, expected: "symbol", got: observation.kindName)
        }
        let m = parameters.symbols
        guard z >= 0, z < m else { throw .symbolOutOfRange(symbol: z, alphabetSize: m) }
        let p = Self.step(pi: &state.predictive, scratch: &scratch, parameters: parameters, symbol: z)
        guard let p else { throw .impossible(symbol: z) }
        let logP = Double.log(p)
        state.count += 1
        state.logLikelihood += logP
        state.predictive.withUnsafeBufferPointer { pi in
            HMMKernels.fillPrediction(measure: pi.baseAddress!, parameters: parameters, count: state.count,
                                      surprise: -logP, into: &prediction)
        }
    }

    /// One forward step in place; returns π_t(c_z), or nil (π untouched) when it is 0 or not finite.
    @inline(__always)
    private static func step(pi: inout [Double], scratch: inout [Double], parameters: HMMParameters,
                             symbol z: Int) -> Double? {
        let d = parameters.states, m = parameters.symbols
        return pi.withUnsafeMutableBufferPointer { pb -> Double? in
            scratch.withUnsafeMutableBufferPointer { sb -> Double? in
                parameters.emission.withUnsafeBufferPointer { cb -> Double? in
                    parameters.transition.withUnsafeBufferPointer { ab -> Double? in
                        let pi = pb.baseAddress!, w = sb.baseAddress!
                        let C = cb.baseAddress!, A = ab.baseAddress!
                        // Small d is common (and the benchmark); a constant d lets the loops unroll completely.
                        switch d {
                        case 2: return kernel(pi, w, C, A, states: 2, symbols: m, symbol: z)
                        case 4: return kernel(pi, w, C, A, states: 4, symbols: m, symbol: z)
                        default: return kernel(pi, w, C, A, states: d, symbols: m, symbol: z)
                        }
                    }
                }
            }
        }
    }

    /// π ← normalise((π ⊙ c_z) A) with p = π(c_z); `w` is d entries of scratch.
    ///
    /// Since A is stochastic, (π ⊙ c) A sums to p, so renormalising by its sum both divides by p and removes
    /// rounding drift with one division; a tiny p (never in practice) is divided out first to stay clear of subnormals.
    @inline(__always)
    private static func kernel(_ pi: UnsafeMutablePointer<Double>, _ w: UnsafeMutablePointer<Double>,
                               _ C: UnsafePointer<Double>, _ A: UnsafePointer<Double>,
                               states d: Int, symbols m: Int, symbol z: Int) -> Double? {
        var p = 0.0
        var k = z
        for x in 0..<d {
            let v = pi[x] * C[k]
            w[x] = v
            p += v
            k += m
        }
        guard p > 0, p.isFinite else { return nil }
        if p < 0x1p-600 {
            let inv = 1 / p
            for x in 0..<d { w[x] *= inv }
        }
        HMMKernels.rowTimesMatrix(w, A, states: d, into: pi)
        var sum = 0.0
        for x in 0..<d { sum += pi[x] }
        let norm = 1 / sum
        for x in 0..<d { pi[x] *= norm }
        return p
    }

    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        throw .wrongKind(model: Self.kind, expected: "symbol", got: "query")
    }

    public func currentPrediction(into prediction: inout Prediction) {
        state.predictive.withUnsafeBufferPointer { pi in
            HMMKernels.fillPrediction(measure: pi.baseAddress!, parameters: parameters, count: state.count,
                                      surprise: .nan, into: &prediction)
        }
    }

    public mutating func reset() {
        state = ForwardFilterState(predictive: parameters.initial)
    }
}
