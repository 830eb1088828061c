/// Central predictive intervals, computed from what a predictor published (mean, variance, ν or the symbol
/// distribution), so every model kind gets them the same way.
extension Prediction {
    /// Real streams: mean ± t_ν⁻¹((1+ℓ)/2)·scale with scale² = var·(ν−2)/ν (var itself when ν = ∞); NaN bounds
    /// where the variance is unknown or ν ≤ 2. Symbol streams: see ``fillIntervals(_:values:)``.
    public mutating func fillIntervals(_ levels: IntervalLevels) {
        let q = mean.count, count = 2 * q * levels.levels.count
        if interval.count != count { interval = [Double](repeating: .nan, count: count) }
        intervalLevels = levels.levels
        if !horizonMean.isEmpty || !horizonInterval.isEmpty { fillHorizonIntervals(levels) }
        guard count > 0 else { return }
        let nu = dof
        let usable = nu > 2
        let shrink = nu == .infinity ? 1 : (nu - 2) / nu
        var l = 0
        while l < levels.levels.count {
            defer { l &+= 1 }
            let k = usable
                ? StudentT.quantile(probability: levels.upperProbabilities[l], normalQuantile: levels.normalQuantiles[l], dof: nu)
                : .nan
            var j = 0
            while j < q {
                defer { j &+= 1 }
                let v = j < variance.count ? variance[j] : .nan
                let half = k * (v * shrink).squareRoot()
                let ok = half.isFinite
                interval[l * 2 * q + j] = ok ? mean[j] - half : .nan
                interval[l * 2 * q + q + j] = ok ? mean[j] + half : .nan
            }
        }
    }

    /// The intervals of the multi-step forecasts, Student-t with the same ν (Gaussian when ν = ∞).
    mutating func fillHorizonIntervals(_ levels: IntervalLevels) {
        let h = horizonMean.count, count = 2 * h * levels.levels.count
        if horizonInterval.count != count { horizonInterval = [Double](repeating: .nan, count: count) }
        guard count > 0 else { return }
        let nu = dof, usable = nu > 2, shrink = nu == .infinity ? 1 : (nu - 2) / nu
        for l in 0..<levels.levels.count {
            let k = usable
                ? StudentT.quantile(probability: levels.upperProbabilities[l], normalQuantile: levels.normalQuantiles[l], dof: nu)
                : .nan
            for j in 0..<h {
                let half = k * (horizonVariance[j] * shrink).squareRoot()
                horizonInterval[l * 2 * h + j] = half.isFinite ? horizonMean[j] - half : .nan
                horizonInterval[l * 2 * h + h + j] = half.isFinite ? horizonMean[j] + half : .nan
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
