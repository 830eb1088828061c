/// Multi-step predictions of an HMM: the state distribution j steps ahead is π Aʲ⁻¹, so value(Z) then has mean
/// Σₓ (πAʲ⁻¹)ₓ E[f | x] and the matching variance (exact, O(h·d²)).
extension HMMParameters {
    /// Means and variances of value(Z) at 1…h steps ahead from the predictive state distribution `pi`.
    public func horizon(from pi: [Double], steps h: Int, means: inout [Double], variances: inout [Double]) {
        let d = states
        if means.count != h { means = [Double](repeating: .nan, count: h) }
        if variances.count != h { variances = [Double](repeating: .nan, count: h) }
        guard pi.count == d, h > 0 else { return }
        var current = pi, next = pi
        for j in 0..<h {
            if j > 0 {
                for y in 0..<d {
                    var v = 0.0
                    for x in 0..<d { v += current[x] * transition[x * d + y] }
                    next[y] = v
                }
                swap(&current, &next)
            }
            // Moments of g = f − k per state, shifted back by k (as the filters' one-step predictions are).
            var m1 = 0.0, m2 = 0.0
            for x in 0..<d { m1 += current[x] * conditionalMean[x]; m2 += current[x] * conditionalSecondMoment[x] }
            means[j] = valueCentre + m1
            variances[j] = max(m2 - m1 * m1, 0)
        }
    }
}
