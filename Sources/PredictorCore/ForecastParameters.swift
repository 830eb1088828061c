/// Slow memory of a forecasting `rls` model: seasonal ARIMAX structure learned by exact RLS (docs/math.md, "Forecasting").
///
/// The series is differenced by (1 − B)^d (1 − B^s)^D inside the model; the differenced value zₜ is regressed on
/// (x̃ₜ, zₜ₋₁…zₜ₋ₚ, zₜ₋ₛ…zₜ₋ₚₛ, εₜ₋₁…εₜ₋q, εₜ₋ₛ…εₜ₋Qₛ, 1), x̃ the regressors differenced alike and ε the
/// posterior residuals (MA terms, learned by ``movingAverageEstimator``). Predictions are on the original scale.
public struct ForecastParameters: Sendable, Equatable, BinaryCodable {
    /// Regressors k per observation (`dimension`; 0 for a pure series).
    public let regressors: Int
    /// AR lags p of the differenced series (`lags`).
    public let lags: Int
    /// Seasonal AR lags P (`seasonal_lags`): zₜ₋ₛ, …, zₜ₋ₚₛ.
    public let seasonalLags: Int
    /// MA terms q (`ma`) and seasonal MA terms Q (`seasonal_ma`), learned by ``movingAverageEstimator``.
    public let movingAverage: Int
    public let seasonalMovingAverage: Int
    /// Differences d (`difference`) and seasonal differences D (`seasonal_difference`) at period s (`season`).
    public let difference: Int
    public let seasonalDifference: Int
    public let season: Int
    /// Whether the features end with a constant 1 (`bias`).
    public let bias: Bool
    /// The RLS regression on the features (explicit layout, one output).
    public let regression: RLSParameters
    /// Coefficients c₀ = 1, c₁, … of (1 − B)^d (1 − B^s)^D: zₜ = Σ cᵢ yₜ₋ᵢ.
    public let differencing: [Double]
    /// Steps ahead h published (`horizon`; 1 = the next value only). Series models (k = 0) only.
    public let horizon: Int
    /// How the MA coefficients are estimated (`ma_estimator`; no effect without MA terms).
    public let movingAverageEstimator: MovingAverageEstimator

    /// Validates every value, naming its configuration key.
    public init(
        regressors: Int = 0, lags: Int, seasonalLags: Int = 0, movingAverage: Int = 0, seasonalMovingAverage: Int = 0,
        difference: Int = 0, seasonalDifference: Int = 0, season: Int = 1, bias: Bool = true, lambda: Double = 1,
        delta: Double = 1e-6, horizon: Int = 1, varianceDiscount: Double? = nil,
        movingAverageEstimator: MovingAverageEstimator = .recursiveMaximumLikelihood
    ) throws(ParameterError) {
        func check(_ value: Int, _ key: String, _ range: ClosedRange<Int>) throws(ParameterError) {
            guard range.contains(value) else { throw ParameterError(key, "must be an integer in \(range), got \(value)") }
        }
        try check(regressors, "dimension", 0...4096)
        try check(lags, "lags", 0...4096)
        try check(seasonalLags, "seasonal_lags", 0...16)
        try check(movingAverage, "ma", 0...64)
        try check(seasonalMovingAverage, "seasonal_ma", 0...4)
        try check(difference, "difference", 0...2)
        try check(seasonalDifference, "seasonal_difference", 0...2)
        try check(season, "season", 1...100_000)
        try check(horizon, "horizon", 1...256)
        if horizon > 1, regressors > 0 {
            throw ParameterError("horizon", "multi-step forecasts need the future regressors; use horizon 1 with 'dimension'")
        }
        if seasonalLags + seasonalDifference + seasonalMovingAverage > 0, season < 2 {
            throw ParameterError("season", "seasonal terms need the period 'season' ≥ 2 (e.g. 12 for monthly data), got \(season)")
        }
        let features = regressors + lags + seasonalLags + movingAverage + seasonalMovingAverage + (bias ? 1 : 0)
        guard features >= 1 else {
            throw ParameterError("lags", "the model has no features: set lags, dimension, ma or bias")
        }
        regression = try RLSParameters(
            layout: .explicit(dimension: features), outputs: 1, lambda: lambda, delta: delta, varianceDiscount: varianceDiscount)
        self.regressors = regressors
        self.lags = lags
        self.seasonalLags = seasonalLags
        self.movingAverage = movingAverage
        self.seasonalMovingAverage = seasonalMovingAverage
        self.difference = difference
        self.seasonalDifference = seasonalDifference
        self.season = season
        self.bias = bias
        self.horizon = horizon
        self.movingAverageEstimator = movingAverageEstimator
        differencing = Self.differencingCoefficients(difference: difference, seasonalDifference: seasonalDifference, season: season)
    }

    /// The coefficients c₀ = 1, c₁, … of (1 − B)^d (1 − B^s)^D (also used by the `softmax` forecasting form).
    static func differencingCoefficients(difference: Int, seasonalDifference: Int, season: Int) -> [Double] {
        var c: [Double] = [1]
        for _ in 0..<difference { c = multiply(c, lag: 1) }
        for _ in 0..<seasonalDifference { c = multiply(c, lag: season) }
        return c
    }

    /// c(B)·(1 − B^lag).
    private static func multiply(_ c: [Double], lag: Int) -> [Double] {
        var out = c + [Double](repeating: 0, count: lag)
        for i in 0..<c.count { out[i + lag] -= c[i] }
        return out
    }

    /// Raw values the differencing needs beyond the current one (d + sD).
    public var differencingOrder: Int { differencing.count - 1 }
    /// Longest lag of z the features read (max(p, sP)).
    var zMemory: Int { max(lags, season * seasonalLags) }
    /// Longest lag of ε the features read (max(q, sQ)).
    var residualMemory: Int { max(movingAverage, season * seasonalMovingAverage) }
    /// Numbers of the gradient history RML keeps: max(q, sQ) rows of the feature count (0 without it).
    var gradientMemory: Int { usesGradient ? residualMemory * featureCount : 0 }
    /// Feature count of the regression.
    /// Whether `other` differs from this model at most in `variance_discount`: then both fit the same W, P and
    /// histories bit for bit, and only their noise scales (J, Σβ) differ.
    func sharesRegression(with other: ForecastParameters) -> Bool {
        regressors == other.regressors && lags == other.lags && seasonalLags == other.seasonalLags
            && movingAverage == other.movingAverage && seasonalMovingAverage == other.seasonalMovingAverage
            && difference == other.difference && seasonalDifference == other.seasonalDifference && season == other.season
            && bias == other.bias && horizon == other.horizon && movingAverageEstimator == other.movingAverageEstimator
            && regression.layout == other.regression.layout && regression.outputs == other.regression.outputs
            && regression.lambda == other.regression.lambda && regression.delta == other.regression.delta
            && regression.priorMean == other.regression.priorMean
    }

    public var featureCount: Int { regression.featureCount }
    public var lambda: Double { regression.lambda }
    public var delta: Double { regression.delta }
    /// β, the noise scale's discount (λ unless `variance_discount` is set).
    public var varianceDiscount: Double { regression.varianceDiscount }
    /// Whether β differs from λ.
    public var hasOwnVarianceDiscount: Bool { regression.varianceDiscount != regression.lambda }
    /// Whether the MA coefficients learn along the prediction-error gradient (RML with MA terms).
    var usesGradient: Bool { movingAverageEstimator == .recursiveMaximumLikelihood && movingAverage + seasonalMovingAverage > 0 }
    /// Whether these parameters need the longer encoding (``encode(to:long:)``): β ≠ λ, or an estimator other than
    /// ELS, which is what the short encoding (checkpoints before either existed) means.
    public var needsLongEncoding: Bool { hasOwnVarianceDiscount || movingAverageEstimator != .extendedLeastSquares }

    public func encode(to writer: inout ByteWriter) { encode(to: &writer, long: false) }

    /// The encoding, followed by β and the MA estimator when `long` (model tags of their own in ``ModelSpec``, so
    /// checkpoints written before either existed still read, as ELS with β = λ).
    public func encode(to writer: inout ByteWriter, long: Bool) {
        for v in [regressors, lags, seasonalLags, movingAverage, seasonalMovingAverage, difference, seasonalDifference, season] {
            writer.write(v)
        }
        writer.write(bias)
        writer.write(regression.lambda)
        writer.write(regression.delta)
        writer.write(horizon)
        if long {
            writer.write(regression.varianceDiscount)
            writer.write(UInt8(movingAverageEstimator == .extendedLeastSquares ? 0 : 1))
        }
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) { try self.init(from: &reader, long: false) }

    /// Reads what ``encode(to:long:)`` wrote.
    public init(from reader: inout ByteReader, long: Bool) throws(StateDecodingError) {
        var v: [Int] = []
        for _ in 0..<8 { v.append(try reader.readInt()) }
        let bias = try reader.readBool(), lambda = try reader.readDouble(), delta = try reader.readDouble()
        let horizon = try reader.readInt()
        let discount = long ? try reader.readDouble() : lambda
        let estimator: MovingAverageEstimator
        switch long ? try reader.readUInt8() : 0 {
        case 0: estimator = .extendedLeastSquares
        case 1: estimator = .recursiveMaximumLikelihood
        case let tag: throw StateDecodingError("unknown MA estimator \(tag)")
        }
        do {
            try self.init(
                regressors: v[0], lags: v[1], seasonalLags: v[2], movingAverage: v[3], seasonalMovingAverage: v[4],
                difference: v[5], seasonalDifference: v[6], season: v[7], bias: bias, lambda: lambda, delta: delta,
                horizon: horizon, varianceDiscount: discount, movingAverageEstimator: estimator)
        } catch {
            throw StateDecodingError("forecast parameters: \(error)")
        }
    }
}
