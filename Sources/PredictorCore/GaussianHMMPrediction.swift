/// Writes the predictive mixture of a Gaussian-emission HMM into a ``Prediction`` (shared by both filters).
///
/// A real prediction with one component; `dof` is NaN (a mixture, not a Student-t): its intervals are the mixture's
/// own quantiles (``Prediction/fillMixtureIntervals(_:parameters:weights:)``).
enum GaussianHMMPrediction {
    @inline(__always)
    static func fill(_ prediction: inout Prediction, count: Int, mean: Double, variance: Double, surprise: Double,
                     error: Double) {
        prediction.kind = .real
        prediction.count = count
        HMMKernels.setSingle(&prediction.mean, mean)
        HMMKernels.setSingle(&prediction.variance, variance)
        HMMKernels.setSingle(&prediction.error, error)
        if !prediction.probabilities.isEmpty { prediction.probabilities.removeAll(keepingCapacity: true) }
        prediction.surprise = surprise
        prediction.dof = .nan
    }
}
