/// Allocation-free inner loops shared by the HMM filters: measure×matrix products and the symbol prediction.
///
/// Pointers are unchecked; callers guarantee the shapes (d, m) that ``HMMParameters`` validated.
enum HMMKernels {
    /// ν(c_z) = Σ_x ν(x) C(x, z): the probability a measure ν gives symbol z (C is d×m row-major).
    @inline(__always)
    static func emissionProbability(_ nu: UnsafePointer<Double>, _ C: UnsafePointer<Double>,
                                    states d: Int, symbols m: Int, symbol z: Int) -> Double {
        var p = 0.0
        var k = z
        for x in 0..<d {
            p += nu[x] * C[k]
            k += m
        }
        return p
    }

    /// out = u A for a row vector u and a d×d row-major A (`out` must not alias `u`).
    @inline(__always)
    static func rowTimesMatrix(_ u: UnsafePointer<Double>, _ A: UnsafePointer<Double>, states d: Int,
                               into out: UnsafeMutablePointer<Double>) {
        let u0 = u[0]
        for y in 0..<d { out[y] = u0 * A[y] }
        var row = A + d
        for x in 1..<max(d, 1) {
            let ux = u[x]
            for y in 0..<d { out[y] += ux * row[y] }
            row += d
        }
    }

    /// Writes the next-symbol law ν C, the mean ν C f and the variance Σ_z (νC)(z) (f(z) − mean)² into `prediction`.
    ///
    /// The variance is computed in two passes (never negative), which equals E f² − (E f)² in exact arithmetic.
    static func fillPrediction(measure nu: UnsafePointer<Double>, parameters: HMMParameters, count: Int,
                               surprise: Double, into prediction: inout Prediction) {
        let d = parameters.states, m = parameters.symbols
        prediction.kind = .symbol
        prediction.count = count
        prediction.surprise = surprise
        if prediction.probabilities.count != m { prediction.probabilities = [Double](repeating: 0, count: m) }
        var mean = 0.0, variance = 0.0
        parameters.emission.withUnsafeBufferPointer { cb in
            parameters.values.withUnsafeBufferPointer { fb in
                prediction.probabilities.withUnsafeMutableBufferPointer { pb in
                    let C = cb.baseAddress!, f = fb.baseAddress!, P = pb.baseAddress!
                    let w0 = nu[0]
                    for z in 0..<m { P[z] = w0 * C[z] }
                    var row = C + m
                    for x in 1..<max(d, 1) {
                        let w = nu[x]
                        for z in 0..<m { P[z] += w * row[z] }
                        row += m
                    }
                    for z in 0..<m { mean += P[z] * f[z] }
                    for z in 0..<m {
                        let dev = f[z] - mean
                        variance += P[z] * dev * dev
                    }
                }
            }
        }
        prediction.mean.reset(count: 1, to: mean)
        prediction.variance.reset(count: 1, to: variance)
        prediction.error.reset(count: 0, to: 0)
    }

    /// Clips `u` at 0 and rescales it to sum 1; returns false (leaving `u` clipped) when no positive finite mass remains.
    @inline(__always)
    static func clipAndNormalise(_ u: UnsafeMutablePointer<Double>, states d: Int) -> Bool {
        var sum = 0.0
        for x in 0..<d {
            let v = u[x]
            let c = v > 0 ? v : (v.isNaN ? v : 0)
            u[x] = c
            sum += c
        }
        guard sum > 0, sum.isFinite else { return false }
        let inv = 1 / sum
        for x in 0..<d { u[x] *= inv }
        return true
    }
}
