/// Central predictive intervals, computed from what a predictor published (mean, variance, ν or the symbol
/// distribution), so every model kind gets them the same way.
extension Prediction {
    /// Real streams: mean ± t_ν⁻¹((1+ℓ)/2)·scale with scale² = var·(ν−2)/ν (var itself when ν = ∞); NaN bounds
    /// where the variance is unknown or ν ≤ 2. Symbol streams: see ``fillIntervals(_:values:)``.
    public mutating func fillIntervals(_ levels: IntervalLevels) {
        intervalLevels = levels.levels
        Self.studentBounds(levels, dof: dof, means: mean, variances: variance, into: &interval)
        if !horizonMean.isEmpty || !horizonInterval.isEmpty {
            Self.studentBounds(levels, dof: dof, means: horizonMean, variances: horizonVariance, into: &horizonInterval)
        }
    }

    /// Per level ℓ, the n = `means.count` lower bounds mean − k·scale then the n upper bounds mean + k·scale, with
    /// k = t_ν⁻¹((1+ℓ)/2) and scale² = var·(ν−2)/ν (NaN past the end of `variances`, or where ν ≤ 2).
    private static func studentBounds(
        _ levels: IntervalLevels, dof nu: Double, means: [Double], variances: [Double], into bounds: inout [Double]
    ) {
        let n = means.count, count = 2 * n * levels.levels.count
        if bounds.count != count { bounds = [Double](repeating: .nan, count: count) }
        guard count > 0 else { return }
        let usable = nu > 2
        let shrink = nu == .infinity ? 1 : (nu - 2) / nu
        // Index loops: `for … in` allocates an iterator frame per call in debug builds (AllocationTests).
        var l = 0
        while l < levels.levels.count {
            defer { l &+= 1 }
            let k = usable
                ? StudentT.quantile(probability: levels.upperProbabilities[l], normalQuantile: levels.normalQuantiles[l], dof: nu)
                : .nan
            var j = 0
            while j < n {
                defer { j &+= 1 }
                let v = j < variances.count ? variances[j] : .nan
                let half = k * (v * shrink).squareRoot()
                let ok = half.isFinite
                bounds[l * 2 * n + j] = ok ? means[j] - half : .nan
                bounds[l * 2 * n + n + j] = ok ? means[j] + half : .nan
            }
        }
    }

    /// Symbol streams: the central interval of value(Z) under `probabilities`, i.e. the (1−ℓ)/2 and (1+ℓ)/2
    /// quantiles of the discrete distribution (smallest value whose CDF reaches the probability); `order` lists the
    /// symbols by increasing value.
    public mutating func fillIntervals(_ levels: IntervalLevels, values: [Double], order: [Int]) {
        let count = 2 * levels.levels.count
        if interval.count != count { interval = [Double](repeating: .nan, count: count) }
        intervalLevels = levels.levels
        guard count > 0, probabilities.count == values.count, !values.isEmpty else { return }
        var l = 0
        while l < levels.levels.count {
            defer { l &+= 1 }
            let upper = levels.upperProbabilities[l], lower = 1 - upper
            interval[2 * l] = Self.discreteQuantile(lower, probabilities, values, order)
            interval[2 * l + 1] = Self.discreteQuantile(upper, probabilities, values, order)
        }
    }

    private static func discreteQuantile(_ p: Double, _ probs: [Double], _ values: [Double], _ order: [Int]) -> Double {
        // Index loops: `for … in` allocates an iterator frame per call in debug builds (AllocationTests).
        var cumulative = 0.0, k = 0
        while k < order.count {
            let i = order[k]
            cumulative += probs[i]
            // A relative slack of 1e-12 so a CDF that reaches p only up to rounding counts as reaching it.
            if cumulative >= p * (1 - 1e-12) { return values[i] }
            k &+= 1
        }
        return values[order[order.count - 1]]
    }
}
