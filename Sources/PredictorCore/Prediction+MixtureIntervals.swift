/// Central intervals of a Gaussian-emission HMM's predictive mixture: its own quantiles, not a normal approximation.
extension Prediction {
    /// Per level ℓ the (1 − ℓ)/2 and (1 + ℓ)/2 quantiles of Σ wₓ N(mₓ, vₓ) (one component: [lower, upper] per level).
    public mutating func fillMixtureIntervals(_ levels: IntervalLevels, parameters: GaussianHMMParameters,
                                              weights w: UnsafePointer<Double>) {
        let count = 2 * levels.levels.count
        if interval.count != count { interval = [Double](repeating: .nan, count: count) }
        intervalLevels = levels.levels
        var l = 0
        while l < levels.levels.count {
            let upper = levels.upperProbabilities[l], z = levels.normalQuantiles[l]
            interval[2 * l] = parameters.mixtureQuantile(1 - upper, weights: w, normalQuantile: -z)
            interval[2 * l + 1] = parameters.mixtureQuantile(upper, weights: w, normalQuantile: z)
            l &+= 1
        }
    }
}
