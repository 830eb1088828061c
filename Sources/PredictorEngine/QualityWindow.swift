import PredictorCore
import PredictorWire
import RealModule

/// Exponentially weighted recent prediction quality of one model: mean squared error, log loss and interval
/// coverage, each an average with weights λ^age (λ = 2^(−1/h) for a half-life of h scored observations), so
/// drift shows where the cumulative ``ModelAccuracy`` averages it away.
///
/// Each quantity keeps its own weight, since not every observation scores all three (a symbol has no squared
/// error, a model without intervals no coverage).
public struct QualityWindow: Sendable, Equatable {
    /// Σ λ^age·e², Σ λ^age, likewise for the log loss (nats) and the 0/1 coverage.
    public private(set) var squaredErrorSum = 0.0, squaredErrorWeight = 0.0
    public private(set) var logLossSum = 0.0, logLossWeight = 0.0
    public private(set) var coverageSum = 0.0, coverageWeight = 0.0
    /// The Student-t log normaliser log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) of the last ν seen: the streams of a
    /// model share ν once their forgetting has converged (or while they advance in step), so it is rarely recomputed.
    private var normaliserDof = Double.nan, normaliser = 0.0

    public init() {}

    /// The decay per scored observation for a half-life of `halfLife` observations (0 for none: nothing is kept).
    public static func decay(halfLife: Double) -> Double {
        halfLife > 0 ? Double.exp2(-1 / halfLife) : 0
    }

    public mutating func addSquaredError(_ e2: Double, decay λ: Double) {
        squaredErrorSum = λ * squaredErrorSum + e2
        squaredErrorWeight = λ * squaredErrorWeight + 1
    }

    public mutating func addLogLoss(_ loss: Double, decay λ: Double) {
        logLossSum = λ * logLossSum + loss
        logLossWeight = λ * logLossWeight + 1
    }

    public mutating func addCoverage(_ inside: Bool, decay λ: Double) {
        coverageSum = λ * coverageSum + (inside ? 1 : 0)
        coverageWeight = λ * coverageWeight + 1
    }

    /// The weighted means, nil before the first scored observation.
    public var meanSquaredError: Double? { squaredErrorWeight > 0 ? squaredErrorSum / squaredErrorWeight : nil }
    public var logLoss: Double? { logLossWeight > 0 ? logLossSum / logLossWeight : nil }
    public var coverage: Double? { coverageWeight > 0 ? coverageSum / coverageWeight : nil }
}

/// What a stream's last published forecast said about its next value (first component, first interval level):
/// kept per context so the next observation can be scored by log loss and interval coverage.
public struct ForecastMemo: Sendable, Equatable {
    /// Predictive mean, variance and ν of the next value (NaN when none was published).
    public var mean = Double.nan, variance = Double.nan, dof = Double.nan
    /// The first interval level's bounds (NaN when the model has no intervals).
    public var lower = Double.nan, upper = Double.nan

    public init() {}

    /// −log p(y) under the Student-t (ν > 2, scale² = var·(ν−2)/ν) or, for ν = ∞ or unknown, the normal with this
    /// variance; nil without a usable variance. `normaliser(ν)` is the t density's log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ).
    public func logLoss(_ y: Double, normaliser: (Double) -> Double = ForecastMemo.studentNormaliser) -> Double? {
        guard mean.isFinite, variance.isFinite, variance > 0 else { return nil }
        if dof.isFinite {
            guard dof > 2 else { return nil }
            let scale = (variance * (dof - 2) / dof).squareRoot(), t = (y - mean) / scale
            return (dof + 1) / 2 * Double.log(onePlus: t * t / dof) + Double.log(scale) - normaliser(dof)
        }
        let t = y - mean
        return 0.5 * t * t / variance + 0.5 * Double.log(2 * .pi * variance)
    }

    /// log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ).
    public static func studentNormaliser(_ nu: Double) -> Double {
        Double.logGamma((nu + 1) / 2) - Double.logGamma(nu / 2) - 0.5 * Double.log(nu * .pi)
    }

    /// Whether `y` lies in [lower, upper]; nil without an interval.
    public func covers(_ y: Double) -> Bool? {
        guard lower.isFinite, upper.isFinite else { return nil }
        return lower <= y && y <= upper
    }
}

extension QualityWindow {
    /// Scores one absorbed observation: its squared innovation (real streams), and for series and symbol streams
    /// its log loss and coverage under `memo`, the forecast published before it (labelled pairs have none: the
    /// published prediction after a pair is the refit at that pair's own x, not a forecast of the next one).
    /// Returns the innovation over the forecast's standard deviation (series and symbol streams with a variance;
    /// NaN otherwise).
    @discardableResult
    mutating func score(
        _ observation: Observation, _ prediction: borrowing Prediction, memo: ForecastMemo, values: [Double], decay λ: Double
    ) -> Double {
        switch observation {
        case let .series(y):
            if let e = prediction.error.first, e.isFinite { addSquaredError(e * e, decay: λ) }
            guard let y0 = y.first else { return .nan }
            if let loss = memo.logLoss(y0, normaliser: { nu in
                if nu != normaliserDof { normaliserDof = nu; normaliser = ForecastMemo.studentNormaliser(nu) }
                return normaliser
            }) { addLogLoss(loss, decay: λ) }
            if let inside = memo.covers(y0) { addCoverage(inside, decay: λ) }
            return (y0 - memo.mean) / memo.variance.squareRoot()
        case .labelled:
            if let e = prediction.error.first, e.isFinite { addSquaredError(e * e, decay: λ) }
            return .nan
        case let .symbol(z):
            if prediction.surprise.isFinite { addLogLoss(prediction.surprise, decay: λ) }
            guard z < values.count else { return .nan }
            if let inside = memo.covers(values[z]) { addCoverage(inside, decay: λ) }
            return .nan
        }
    }
}

extension ForecastMemo {
    /// Keeps what `prediction` (just published for `body`) forecasts of the next value; a labelled pair or a query
    /// forecasts nothing for the next observation, so the memo is cleared or kept as it is.
    mutating func remember(_ prediction: borrowing Prediction, _ body: InboundMessage.Body) {
        switch body {
        case .observation(.labelled): self = ForecastMemo()
        case .query, .state: return
        case .observation(.series), .observation(.symbol), .reset:
            mean = prediction.mean.first ?? .nan
            variance = prediction.kind == .real ? (prediction.variance.first ?? .nan) : .nan
            dof = prediction.dof
            let n = prediction.kind == .real ? prediction.mean.count : 1
            lower = prediction.interval.count >= 2 * n ? prediction.interval[0] : .nan
            upper = prediction.interval.count >= 2 * n ? prediction.interval[n] : .nan
        }
    }
}
