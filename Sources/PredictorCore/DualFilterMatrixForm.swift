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
        let d = hmm.states, m = hmm.symbols
        precondition(t >= 0 && t <= symbols.count && t <= measures.count, "need z_0..z_{t−1} and ρ_0..ρ_{t−1}")
        if t == 0 { return hmm.initial }
        let start = max(0, t - parameters.window)
        let A = hmm.transition, C = hmm.emission
        var Y = [Double](repeating: 0, count: d * d)         // dual process, d×d row-major
        for x in 0..<d { Y[x * d + x] = 1 }
        var G = [Double](repeating: 0, count: d * d)
        var uSum = [Double](repeating: 0, count: d)          // Σ_s U_s
        var U = [Double](repeating: 0, count: d)
        var e = [Double](repeating: 0, count: d)
        for s in stride(from: t - 1, through: start, by: -1) {
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
        }
        // ρ_t = ρ_{t−H}ᵀ Y − Σ U_s, clipped and renormalised
        let rho0 = measures[start]
        var out = [Double](repeating: 0, count: d)
        for y in 0..<d {
            var acc = 0.0
            for x in 0..<d { acc += rho0[x] * Y[x * d + y] }
            out[y] = acc - uSum[y]
        }
        let ok = out.withUnsafeMutableBufferPointer { HMMKernels.clipAndNormalise($0.baseAddress!, states: d) }
        return ok ? out : [Double](repeating: .nan, count: d)
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
