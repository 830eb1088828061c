import PredictorCore

extension AnyPredictor {
    /// Writes the mixture intervals of a Gaussian-emission HMM filter and returns true; false for other models
    /// (whose intervals come from mean, variance and ν).
    func fillGaussianIntervals(_ prediction: inout Prediction, levels: IntervalLevels) -> Bool {
        switch self {
        case let .gaussianForward(b): b.value.fillIntervals(&prediction, levels: levels); return true
        case let .gaussianDual(b): b.value.fillIntervals(&prediction, levels: levels); return true
        default: return false
        }
    }
}
