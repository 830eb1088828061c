import RealModule

/// A published Gaussian-HMM prediction kept as numbers (weights π, means, variances: 3·d entries), so a learning
/// context scores its next value against what subscribers were sent even after its parameters switched.
public enum GaussianMixtureScore {
    /// Writes π ⊕ m ⊕ v of `parameters` and the measure `weights` (d entries) into `out` (resized only when needed).
    public static func keep(_ weights: UnsafePointer<Double>, parameters: GaussianHMMParameters, into out: inout [Double]) {
        let d = parameters.states
        if out.count != 3 * d { out = [Double](repeating: 0, count: 3 * d) }
        var x = 0
        while x < d {
            out[x] = weights[x]
            out[d + x] = parameters.means[x]
            out[2 * d + x] = parameters.variances[x]
            x &+= 1
        }
    }

    /// (mean, log density at y) of the kept mixture, in the filters' own arithmetic (log-space densities scaled to
    /// max `scale`: 1 for the forward filter, ½ for the dual), so they are bit-identical to the filter's when nothing
    /// switched: the error is y − mean, the surprise −log density.
    public static func score(_ y: Double, kept k: [Double], scale: Double) -> (mean: Double, logDensity: Double) {
        let d = k.count / 3
        // The log densities once, on the stack (d ≤ 64): the filters compute them once per value too.
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: max(d, 1)) { l in
            var mean = 0.0, top = -Double.infinity
            for x in 0..<d {
                mean += k[x] * k[d + x]
                let r = y - k[d + x], v = k[2 * d + x]
                l[x] = -0.5 * Double.log(2 * .pi * v) - 0.5 / v * r * r
                top = Swift.max(top, l[x])
            }
            var p = 0.0
            for x in 0..<d { p += k[x] * (scale * Double.exp(l[x] - top)) }
            let logDensity = scale == 1 ? Double.log(p) + top : Double.log(p) + Double.log(1 / scale) + top
            return (mean, logDensity)
        }
    }
}
