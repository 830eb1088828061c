/// Reference forms of the dual filter: the O(H d³) matrix form of math.md §4 and the Jacobi ("layers") iteration.
///
/// Not on the streaming path; these exist to check ``DualFilter`` and to study the fixed point on measures.
extension DualFilter {
    /// ρ_t by the matrix form of math.md §4 from `symbols` z_0..z_{t−1} and `measures` ρ_0..ρ_{t−1} (more is ignored).
    ///
    /// The window is truncated at position 0 (H' = min(H, t)); t = 0 gives μ. The output is clipped at 0 and
    /// renormalised; if no positive finite mass remains every entry is NaN. Symbols must lie in 0..<m.
    public static func estimateMatrixForm(parameters: DualFilterParameters, symbols: [Int], measures: [[Double]],
                                          at t: Int) -> [Double] {
        let hmm = parameters.hmm
        let d = hmm.states
        precondition(t >= 0 && t <= symbols.count && t <= measures.count, "need z_0..z_{t−1} and ρ_0..ρ_{t−1}")
        if t == 0 { return hmm.initial }
        let start = max(0, t - parameters.window)
        var out = matrixForm(hmm: hmm, symbols: Array(symbols[start..<t]), measures: Array(measures[start..<t])).estimate
        let ok = out.withUnsafeMutableBufferPointer { HMMKernels.clipAndNormalise($0.baseAddress!, states: d) }
        return ok ? out : [Double](repeating: .nan, count: d)
    }

    /// The matrix form over the positions s = 0..<k of a window (`symbols`, `measures` ρ_s, k ≥ 1): the controls
    /// U_s (the attention-weight analogue, d each) and the unclipped estimate ρ_0ᵀY − Σ U_s of the position after.
    public static func matrixForm(hmm: HMMParameters, symbols: [Int], measures: [[Double]])
        -> (controls: [[Double]], estimate: [Double]) {
        let d = hmm.states, m = hmm.symbols, k = symbols.count
        precondition(k >= 1 && measures.count == k, "need the window's symbols and measures")
        let A = hmm.transition, C = hmm.emission
        var Y = [Double](repeating: 0, count: d * d)         // dual process, d×d row-major
        for x in 0..<d { Y[x * d + x] = 1 }
        var G = [Double](repeating: 0, count: d * d)
        var uSum = [Double](repeating: 0, count: d)          // Σ_s U_s
        var U = [Double](repeating: 0, count: d)
        var e = [Double](repeating: 0, count: d)
        var controls = [[Double]](repeating: [], count: k)
        for s in stride(from: k - 1, through: 0, by: -1) {
            let z = symbols[s]
            precondition(z >= 0 && z < m, "symbol \(z) outside 0..<\(m)")
            let rho = measures[s]
            // G ← A Y
            for x in 0..<d {
                for y in 0..<d {
                    var acc = 0.0
                    for k in 0..<d { acc += A[x * d + k] * Y[k * d + y] }
                    G[x * d + y] = acc
                }
            }
            // e_s = 2 c_s − 1, ē = ρ_s(e_s)
            var eBar = 0.0
            for x in 0..<d {
                e[x] = 2 * C[x * m + z] - 1
                eBar += rho[x] * e[x]
            }
            // U_s = −(ρ_s ⊙ (e_s − ē))ᵀ G / (1 − ē²), 0 if 1 − ē² = 0
            let den = 1 - eBar * eBar
            for y in 0..<d {
                var acc = 0.0
                if den != 0 {
                    for x in 0..<d { acc += rho[x] * (e[x] - eBar) * G[x * d + y] }
                    acc = -acc / den
                }
                U[y] = acc
            }
            // Y ← G + e_s U_s
            for x in 0..<d {
                for y in 0..<d { Y[x * d + y] = G[x * d + y] + e[x] * U[y] }
            }
            for y in 0..<d { uSum[y] += U[y] }
            controls[s] = U
        }
        // ρ = ρ_0ᵀ Y − Σ U_s
        let rho0 = measures[0]
        var out = [Double](repeating: 0, count: d)
        for y in 0..<d {
            var acc = 0.0
            for x in 0..<d { acc += rho0[x] * Y[x * d + y] }
            out[y] = acc - uSum[y]
        }
        return (controls, out)
    }

    /// Gauss–Seidel in matrix form: ρ_0 = μ, then each ρ_t from the outputs already computed; returns ρ_0..ρ_T.
    public static func onlineMatrixForm(parameters: DualFilterParameters, symbols: [Int]) -> [[Double]] {
        var rho: [[Double]] = [parameters.hmm.initial]
        rho.reserveCapacity(symbols.count + 1)
        for t in stride(from: 1, through: symbols.count, by: 1) {
            rho.append(estimateMatrixForm(parameters: parameters, symbols: symbols, measures: rho, at: t))
        }
        return rho
    }

    /// Jacobi iteration ("layers"): start from ρ ≡ μ and recompute every position from the previous sweep's
    /// measures, `sweeps` times; returns ρ_0..ρ_T. After k sweeps positions 0...k equal the forward algorithm.
    public static func layers(parameters: DualFilterParameters, symbols: [Int], sweeps: Int) -> [[Double]] {
        var rho = [[Double]](repeating: parameters.hmm.initial, count: symbols.count + 1)
        for _ in 0..<max(0, sweeps) {
            var next = rho
            for t in stride(from: 1, through: symbols.count, by: 1) {
                next[t] = estimateMatrixForm(parameters: parameters, symbols: symbols, measures: rho, at: t)
            }
            rho = next
        }
        return rho
    }
}

extension DualFilter {
    /// The transformer view of a live context: the controls U_s over the positions of its window whose measures it
    /// still holds (the last min(n, H − 1) positions, or from position 0 while n < H), in order, and the estimate of
    /// π_n they give, ρ_startᵀY − Σ U_s (unclipped). Since the stored measures are exact, it equals the current
    /// measure (to rounding); nil before the first symbol.
    public var controls: (start: Int, controls: [[Double]], estimate: [Double])? {
        let n = state.count, h = parameters.window, d = parameters.hmm.states
        guard n >= 1 else { return nil }
        let start = n < h ? 0 : n - h + 1
        guard start < n else { return nil }  // H = 1: no stored measure before the current one
        let symbols = (start..<n).map { state.tokens[$0 % h] }
        let measures = (start..<n).map { Array(state.measures[($0 % h) * d..<($0 % h) * d + d]) }
        let form = Self.matrixForm(hmm: parameters.hmm, symbols: symbols, measures: measures)
        return (start, form.controls, form.estimate)
    }
}
