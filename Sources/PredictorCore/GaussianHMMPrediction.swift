/// Writes the predictive mixture of a Gaussian-emission HMM into a ``Prediction`` (shared by both filters).
///
/// A real prediction with one component; `dof` is NaN (a mixture, not a Student-t): its intervals are the mixture's
/// own quantiles (``Prediction/fillMixtureIntervals(_:parameters:weights:)``).
enum GaussianHMMPrediction {
    /// The one finite real value y of a `{"y": …}` observation, or the error both filters refuse it with.
    @inline(__always)
    static func value(of observation: Observation, model: String) throws(ObservationError) -> Double {
        guard case let .series(ys) = observation else {
            throw .wrongKind(model: model, expected: "series", got: observation.kindName)
        }
        guard ys.count == 1 else { throw .wrongDimension(field: "y", expected: 1, got: ys.count) }
        guard ys[0].isFinite else { throw .nonFinite(field: "y") }
        return ys[0]
    }

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
