import RealModule

/// The dual filter of Chang & Mehta (math.md §4) run online (Gauss–Seidel): per token, one backward pass over a
/// window of H stored tokens and stored outputs ρ_s, in the O(H d²) row-vector association of the matrix form.
///
/// Derivation of the streaming form. Write r_s = ρ_s ⊙ (e_s − ē_s)/(1 − ē_s²) (0 when 1 − ē_s² = 0), a column
/// vector, so that the control of math.md is U_s = −r_sᵀ G with G = A Y. The update Y ← G + e_s U_s is then
/// Y ← (I − e_s r_sᵀ) A Y = B_s Y with B_s = (I − e_s r_sᵀ) A. Running s = t−1 down to t−H from Y = I gives
///     Y = B_{t−H} B_{t−H+1} ⋯ B_{t−1},     U_s = −r_sᵀ A B_{s+1} ⋯ B_{t−1},
/// hence ρ_t = ρ_{t−H}ᵀ Y − Σ_s U_s = ρ_{t−H} B_{t−H}⋯B_{t−1} + Σ_s r_sᵀ A B_{s+1}⋯B_{t−1}. Evaluating this
/// sum by Horner's rule from the left, u ← ρ_{t−H} and for s = t−H … t−1: u ← u B_s + r_sᵀ A, and since
/// u B_s = (u − (u·e_s) r_sᵀ) A this is u ← (u + (1 − u·e_s) r_sᵀ) A: d² work per position instead of d³.
/// Finally u is clipped at 0 and renormalised. (With u = ρ_s = π_s one step is exactly π_s ⊙ c_s A / π_s(c_s),
/// because π_s + (1 − ē_s) r_s = π_s ⊙ (1 + e_s)/(1 + ē_s) = π_s ⊙ c_s / π_s(c_s).)
public struct DualFilter: OnlinePredictor {
    public static let kind = "dual"

    public private(set) var parameters: DualFilterParameters
    public private(set) var state: DualFilterState
    /// Scratch (2·d entries: u and u A) in the predictor, not the state, so a step does not allocate.
    private var scratch: [Double]

    public init(parameters: DualFilterParameters) {
        self.parameters = parameters
        state = DualFilterState(parameters: parameters)
        scratch = [Double](repeating: 0, count: 2 * parameters.hmm.states)
    }

    public init(parameters: DualFilterParameters, state: DualFilterState) throws(StateDecodingError) {
        try state.validate(for: parameters)
        self.parameters = parameters
        self.state = state
        scratch = [Double](repeating: 0, count: 2 * parameters.hmm.states)
    }

    /// Continues the context under another HMM of the same shape (learned slow memory), keeping the window of
    /// tokens and measures; no allocation. Returns false, changing nothing, when the states or symbols differ.
    public mutating func adopt(_ hmm: HMMParameters) -> Bool {
        guard hmm.states == parameters.hmm.states, hmm.symbols == parameters.hmm.symbols,
              let next = try? DualFilterParameters(hmm: hmm, window: parameters.window) else { return false }
        parameters = next
        return true
    }

    /// Σ log ρ_t(c_{z_t}) over the symbols absorbed so far (the forward log-likelihood when the filter is exact).
    public var logLikelihood: Double { state.logLikelihood }

    /// The current estimate ρ_n of the predictive measure π_n (a fresh array; not for the hot path).
    public var measure: [Double] {
        let d = parameters.hmm.states, slot = state.count % parameters.window
        return Array(state.measures[(slot * d)..<(slot * d + d)])
    }

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        guard case let .symbol(z) = observation else {
            throw .wrongKind(model: Self.kind, expected: "symbol", got: observation.kindName)
        }
        let m = parameters.hmm.symbols
        guard z >= 0, z < m else { throw .symbolOutOfRange(symbol: z, alphabetSize: m) }
        let p = Self.step(state: &state, scratch: &scratch, parameters: parameters, symbol: z)
        guard let p else { throw .impossible(symbol: z) }
        let logP = Double.log(p)
        state.logLikelihood += logP
        let d = parameters.hmm.states, slot = state.count % parameters.window
        state.measures.withUnsafeBufferPointer { mb in
            HMMKernels.fillPrediction(measure: mb.baseAddress! + slot * d, parameters: parameters.hmm,
                                      count: state.count, surprise: -logP, into: &prediction)
        }
    }

    /// Computes ρ_{n+1} from the window and, on success, commits z_n, ρ_{n+1} and n + 1; returns ρ_n(c_z).
    /// Returns nil with the state untouched when ρ_n(c_z) is 0 or not finite, or no positive mass survives clipping.
    @inline(__always)
    private static func step(state: inout DualFilterState, scratch: inout [Double], parameters: DualFilterParameters,
                             symbol z: Int) -> Double? {
        let hmm = parameters.hmm
        let d = hmm.states, m = hmm.symbols, h = parameters.window
        let n = state.count
        return state.measures.withUnsafeMutableBufferPointer { mb -> Double? in
            state.tokens.withUnsafeMutableBufferPointer { tb -> Double? in
                scratch.withUnsafeMutableBufferPointer { sb -> Double? in
                    hmm.emission.withUnsafeBufferPointer { cb -> Double? in
                        hmm.transition.withUnsafeBufferPointer { ab -> Double? in
                            let rho = mb.baseAddress!, tokens = tb.baseAddress!
                            let C = cb.baseAddress!, A = ab.baseAddress!
                            let u = sb.baseAddress!, v = sb.baseAddress! + d
                            let p = HMMKernels.emissionProbability(rho + (n % h) * d, C, states: d, symbols: m,
                                                                   symbol: z)
                            guard p > 0, p.isFinite else { return nil }
                            // Small d is common (and the benchmark); a constant d lets the loops unroll completely.
                            let result: UnsafeMutablePointer<Double>
                            switch d {
                            case 2: result = sweep(u, v, rho, tokens, C, A, states: 2, symbols: m, window: h,
                                                   count: n, symbol: z)
                            case 4: result = sweep(u, v, rho, tokens, C, A, states: 4, symbols: m, window: h,
                                                   count: n, symbol: z)
                            default: result = sweep(u, v, rho, tokens, C, A, states: d, symbols: m, window: h,
                                                    count: n, symbol: z)
                            }
                            guard HMMKernels.clipAndNormalise(result, states: d) else { return nil }
                            tokens[n % h] = z
                            let out = rho + ((n + 1) % h) * d
                            for x in 0..<d { out[x] = result[x] }
                            return p
                        }
                    }
                }
            }
        }.map { p in
            state.count = n + 1
            return p
        }
    }

    /// The backward pass in row-vector form over the stored tokens (``HMMKernels/dualSweep``).
    @inline(__always)
    private static func sweep(_ u0: UnsafeMutablePointer<Double>, _ v0: UnsafeMutablePointer<Double>,
                              _ rho: UnsafePointer<Double>, _ tokens: UnsafePointer<Int>,
                              _ C: UnsafePointer<Double>, _ A: UnsafePointer<Double>,
                              states d: Int, symbols m: Int, window h: Int, count n: Int,
                              symbol z: Int) -> UnsafeMutablePointer<Double> {
        HMMKernels.dualSweep(u0, v0, rho, A, states: d, window: h, count: n) { s, slot in
            (C + (s == n ? z : tokens[slot]), m)  // column z_s of C: c_s(x) = C[x·m + z_s]
        }
    }

    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        throw .wrongKind(model: Self.kind, expected: "symbol", got: "query")
    }

    public func currentPrediction(into prediction: inout Prediction) {
        let d = parameters.hmm.states, slot = state.count % parameters.window
        state.measures.withUnsafeBufferPointer { mb in
            HMMKernels.fillPrediction(measure: mb.baseAddress! + slot * d, parameters: parameters.hmm,
                                      count: state.count, surprise: .nan, into: &prediction)
        }
    }

    public mutating func reset() {
        state = DualFilterState(parameters: parameters)
    }
}
