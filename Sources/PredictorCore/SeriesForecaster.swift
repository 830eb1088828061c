/// The forecasting form of the `rls` model: seasonal ARIMAX by exact RLS on the differenced series, predictions
/// of the next raw value with the regression's Student-t predictive (``ForecastParameters``, docs/math.md, "Forecasting").
///
/// `error` scores yₜ against the model's prediction of yₜ at the observation's own regressors before learning it
/// (for a pure series: exactly the mean published after yₜ₋₁). Before d + sD values have arrived the forecast is
/// the last value, with no variance.
public struct SeriesForecaster: OnlinePredictor {
    public static let kind = "rls"

    public let parameters: ForecastParameters
    /// The regression of zₜ on the features (its state is the snapshot's `regression`).
    private var regression: RLSPredictor
    /// The histories; its `regression` field is filled only in the ``state`` snapshot.
    private var memory: SeriesForecasterState
    /// Working buffer (not state): the feature vector.
    private var features: [Double]
    /// Working buffer (not state): the gradient ψₜ of the RML step.
    private var direction: [Double] = []
    /// The mean last published for the next value of a series (k = 0), nil when unknown (after a restore): the
    /// prior prediction that scores the next observation, so it is not computed twice. Not state.
    private var nextMean: Double?
    /// What the regression's last learned pair leaves for a noise scale (nil when the last observation taught it
    /// nothing): members of an `auto` bank that share this regression update their own (J, Σβ) from it. Not state.
    private(set) var lastUpdate: RLSPredictor.Update?

    /// Fast memory: the histories and the regression memory.
    public var state: SeriesForecasterState {
        var snapshot = memory
        snapshot.regression = regression.state
        return snapshot
    }

    public init(parameters: ForecastParameters) {
        self.parameters = parameters
        memory = SeriesForecasterState(parameters: parameters)
        regression = RLSPredictor(parameters: parameters.regression)
        features = [Double](repeating: 0, count: parameters.featureCount)
    }

    public init(parameters: ForecastParameters, state: SeriesForecasterState) throws(StateDecodingError) {
        if let problem = state.fits(parameters) { throw problem }
        self.init(parameters: parameters)
        regression = try RLSPredictor(parameters: parameters.regression, state: state.regression)
        memory = state
    }

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        let k = parameters.regressors
        switch observation {
        case let .series(y) where k == 0:
            try Self.check(y, field: "y", count: 1)
            absorb(y[0], x: [], into: &prediction)
        case let .labelled(x, y) where k > 0:
            try Self.check(x, field: "x", count: k)
            try Self.check(y, field: "y", count: 1)
            absorb(y[0], x: x, into: &prediction)
        default:
            throw .wrongKind(model: Self.kind, expected: k == 0 ? "series" : "labelled", got: observation.kindName)
        }
    }

    /// A model with regressors predicts the next value at `x` (the next observation's regressors).
    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        guard parameters.regressors > 0 else {
            throw .wrongKind(model: Self.kind, expected: "series", got: "query")
        }
        try Self.check(x, field: "x", count: parameters.regressors)
        var f = features
        Self.forecast(parameters, memory, regression, x: x, features: &f, into: &prediction)
    }

    public func currentPrediction(into prediction: inout Prediction) {
        var f = features
        Self.forecast(parameters, memory, regression, x: memory.lastX, features: &f, into: &prediction)
    }

    public mutating func reset() {
        memory = SeriesForecasterState(parameters: parameters)
        regression.reset()
        nextMean = nil
    }

    /// Mean, variance and ν of a one-step predictive (NaN where there is none).
    public typealias Moments = (mean: Double, variance: Double, dof: Double)

    /// The predictive of the next value at regressors `x` without learning (x checked by the caller), under
    /// `noise` instead of the regression's own noise scale when given.
    public mutating func predictive(x: [Double], noise: RLSPredictor.NoiseScale? = nil) -> Moments {
        Self.moments(parameters, memory, regression, x: x, noise: noise, features: &features)
    }

    /// The fast memory of a forecaster that shares this one's regression but has the noise scale `noise`.
    func state(noise: RLSPredictor.NoiseScale) -> SeriesForecasterState {
        var snapshot = memory
        snapshot.regression = regression.state.replacingNoiseScale(noise)
        return snapshot
    }

    /// ``observe(_:into:)`` without a ``Prediction``, for ``ForecastBank``: learns yₜ at regressors `x` (checked by
    /// the caller) and returns its error; ``next()`` then gives the predictive of yₜ₊₁.
    mutating func learn(_ y: Double, x: [Double]) -> Double {
        let error = absorb(y, x: x)
        nextMean = nil
        return error
    }

    /// The predictive of the next value at the last regressors (under `noise` when given), its mean remembered to
    /// score the next observation.
    mutating func next(noise: RLSPredictor.NoiseScale? = nil) -> Moments {
        let next = Self.moments(parameters, memory, regression, x: memory.lastX, noise: noise, features: &features)
        nextMean = next.mean
        return next
    }

    // MARK: steps

    /// ψₜ = fₜ − Σⱼ cⱼψₜ₋ⱼ − Σⱼ Cⱼψₜ₋ⱼₛ with c, C the current MA and seasonal MA coefficients: the prediction-error
    /// gradient of recursive maximum likelihood, written into `direction` and pushed into the gradient history. The
    /// filter 1/C(B) runs only while Σ|cⱼ| + Σ|Cⱼ| < 0.98 (then C has no zero in the closed unit disc and the
    /// filter is stable); otherwise ψₜ = fₜ, the ELS direction (the stability projection of Ljung & Söderström §6.6).
    private mutating func gradientStep() {
        let n = parameters.featureCount, q = parameters.movingAverage, sq = parameters.seasonalMovingAverage
        let s = parameters.season
        let ma = parameters.regressors + parameters.lags + parameters.seasonalLags, sma = ma + q
        if direction.count != n { direction = [Double](repeating: 0, count: n) }
        for i in 0..<n { direction[i] = features[i] }
        var size = 0.0
        for j in 0..<q { size += abs(regression.weight(ma + j)) }
        for j in 0..<sq { size += abs(regression.weight(sma + j)) }
        if size < Self.invertibilityMargin {
            for j in 1...max(1, q) where j <= q {
                let c = regression.weight(ma + j - 1), row = (j - 1) * n
                for i in 0..<n { direction[i] -= c * memory.gradients[row + i] }
            }
            for j in 1...max(1, sq) where j <= sq {
                let c = regression.weight(sma + j - 1), row = (j * s - 1) * n
                for i in 0..<n { direction[i] -= c * memory.gradients[row + i] }
            }
        }
        direction.withUnsafeBufferPointer { SeriesForecasterState.push($0, into: &memory.gradients, width: n) }
    }

    /// Σ|cⱼ| + Σ|Cⱼ| below which the gradient filter 1/C(B) is applied.
    static let invertibilityMargin = 0.98

    private mutating func absorb(_ y: Double, x: [Double], into prediction: inout Prediction) {
        let error = absorb(y, x: x)
        Self.forecast(parameters, memory, regression, x: memory.lastX, features: &features, into: &prediction)
        prediction.error[0] = error
        nextMean = prediction.mean[0]
    }

    /// Learns yₜ at regressors x and updates the histories; returns yₜ minus the prediction of yₜ made before it.
    private mutating func absorb(_ y: Double, x: [Double]) -> Double {
        let m = parameters.differencingOrder, k = parameters.regressors, c = parameters.differencing
        // The prior prediction of yₜ at its own regressors scores the observation; for a series it is the mean
        // published after yₜ₋₁ (the same computation on the same state), so only the features are rebuilt.
        let error: Double
        lastUpdate = nil
        if k == 0, let published = nextMean {
            Self.buildFeatures(parameters, memory, x: x, into: &features)
            error = y - published
        } else {
            error = y - Self.moments(parameters, memory, regression, x: x, noise: nil, features: &features).mean
        }
        var residual = 0.0
        if memory.rawFilled >= m {
            var zt = y
            for i in 1...max(1, m) where i <= m { zt += c[i] * memory.rawY[i - 1] }
            if memory.zFilled >= memory.z.count {
                // `features` holds the features of time t (regressors differenced), finite and of the right size.
                let step: (refit: Double, update: RLSPredictor.Update)
                if parameters.usesGradient {
                    gradientStep()
                    step = features.withUnsafeBufferPointer { f in
                        direction.withUnsafeBufferPointer { g in
                            regression.learn(x: f.baseAddress!, direction: g.baseAddress!, y: zt)
                        }
                    }
                } else {
                    step = features.withUnsafeBufferPointer { regression.learn(x: $0.baseAddress!, direction: nil, y: zt) }
                }
                residual = zt - step.refit
                lastUpdate = step.update
            }
            SeriesForecasterState.push(zt, into: &memory.z)
            if memory.zFilled < memory.z.count { memory.zFilled += 1 }
            SeriesForecasterState.push(residual, into: &memory.residuals)
        }
        SeriesForecasterState.push(y, into: &memory.rawY)
        x.withUnsafeBufferPointer { SeriesForecasterState.push($0, into: &memory.rawX, width: k) }
        if memory.rawFilled < m { memory.rawFilled += 1 }
        if k > 0 { memory.lastX = x }
        memory.count += 1
        return error
    }

    /// The predictive of the next raw value given regressors `x` for it (ignored when k = 0): the regression's at
    /// the features, shifted by the known part of the differencing; the last value, with no variance, before d + sD values.
    private static func moments(
        _ parameters: ForecastParameters, _ memory: SeriesForecasterState, _ regression: RLSPredictor, x: [Double],
        noise: RLSPredictor.NoiseScale?, features f: inout [Double]
    ) -> Moments {
        let m = parameters.differencingOrder, c = parameters.differencing
        guard memory.rawFilled >= m else { return (memory.rawFilled > 0 ? memory.rawY[0] : .nan, .nan, .nan) }
        buildFeatures(parameters, memory, x: x, into: &f)
        var known = 0.0
        var l = 1
        while l <= m { known += c[l] * memory.rawY[l - 1]; l += 1 }
        var r = f.withUnsafeBufferPointer { regression.predictive(x: $0.baseAddress!, noise: noise) }
        r.mean -= known
        return r
    }

    /// The prediction of the next raw value given regressors `x` for it, with its horizon.
    private static func forecast(
        _ parameters: ForecastParameters, _ memory: SeriesForecasterState, _ regression: RLSPredictor, x: [Double],
        features f: inout [Double], into prediction: inout Prediction
    ) {
        Self.prepare(&prediction)
        prediction.count = memory.count
        let r = moments(parameters, memory, regression, x: x, noise: nil, features: &f)
        prediction.mean[0] = r.mean
        prediction.variance[0] = r.variance
        prediction.dof = r.dof
        if memory.rawFilled >= parameters.differencingOrder, parameters.horizon > 1 {
            fillHorizon(parameters, memory, regression, into: &prediction)
        }
    }

    /// Means and variances 1…h steps ahead: the fitted recursion run forward on its own forecasts (future
    /// residuals 0), and var_j = var₁ + σ̂² Σ_{k=1}^{j−1} (ψᵏ)² with ψ the MA(∞) weights of the fitted ARMA in z
    /// convolved with 1/c(B) for the differencing; step 1 is the one-step prediction itself (docs/math.md, "Horizons").
    static func fillHorizon(
        _ parameters: ForecastParameters, _ memory: SeriesForecasterState, _ regression: RLSPredictor,
        into prediction: inout Prediction
    ) {
        let h = parameters.horizon, m = parameters.differencingOrder, c = parameters.differencing, s = parameters.season
        prediction.horizonMean = [Double](repeating: .nan, count: h)
        prediction.horizonVariance = [Double](repeating: .nan, count: h)
        guard prediction.mean[0].isFinite else { return }
        prediction.horizonMean[0] = prediction.mean[0]
        prediction.horizonVariance[0] = prediction.variance[0]
        let w = regression.state.weights
        let ar = 0, sar = parameters.lags, ma = sar + parameters.seasonalLags, sma = ma + parameters.movingAverage
        let biasIndex = sma + parameters.seasonalMovingAverage
        var zf: [Double] = [], yf: [Double] = []
        // z, ε and y at time t + j − lag: a forecast when in the future, the history otherwise (ε: 0 in the future).
        func z(_ j: Int, _ lag: Int) -> Double { j - lag >= 1 ? zf[j - lag - 1] : memory.z[lag - j] }
        func e(_ j: Int, _ lag: Int) -> Double { j - lag >= 1 ? 0 : memory.residuals[lag - j] }
        func y(_ j: Int, _ lag: Int) -> Double { j - lag >= 1 ? yf[j - lag - 1] : memory.rawY[lag - j] }
        for j in 1...h {
            var v = parameters.bias ? w[biasIndex] : 0
            for l in 1...max(1, parameters.lags) where l <= parameters.lags { v += w[ar + l - 1] * z(j, l) }
            for l in 1...max(1, parameters.seasonalLags) where l <= parameters.seasonalLags { v += w[sar + l - 1] * z(j, l * s) }
            for l in 1...max(1, parameters.movingAverage) where l <= parameters.movingAverage { v += w[ma + l - 1] * e(j, l) }
            for l in 1...max(1, parameters.seasonalMovingAverage) where l <= parameters.seasonalMovingAverage {
                v += w[sma + l - 1] * e(j, l * s)
            }
            zf.append(v)
            var next = v
            for i in 1...max(1, m) where i <= m { next -= c[i] * y(j, i) }
            yf.append(next)
            if j > 1 { prediction.horizonMean[j - 1] = next }
        }
        // ψ weights of z, then of y through 1/c(B).
        var psi = [Double](repeating: 0, count: h), psiY = [Double](repeating: 0, count: h)
        psi[0] = 1
        for k in 1..<max(1, h) {
            var v = 0.0
            for l in 1...max(1, parameters.lags) where l <= parameters.lags && k - l >= 0 { v += w[ar + l - 1] * psi[k - l] }
            for l in 1...max(1, parameters.seasonalLags) where l <= parameters.seasonalLags && k - l * s >= 0 {
                v += w[sar + l - 1] * psi[k - l * s]
            }
            if k <= parameters.movingAverage { v += w[ma + k - 1] }
            if k % s == 0, k / s >= 1, k / s <= parameters.seasonalMovingAverage { v += w[sma + k / s - 1] }
            psi[k] = v
        }
        for k in 0..<h {
            var v = psi[k]
            for i in 1...max(1, m) where i <= m && k - i >= 0 { v -= c[i] * psiY[k - i] }
            psiY[k] = v
        }
        let state = regression.state
        let nu = state.innovationWeight - Double(parameters.featureCount)
        guard nu > 2, prediction.variance[0].isFinite else { return }
        let sigma2 = state.innovationSquares[0] / (nu - 2)
        var sum = 0.0
        for j in 1..<h {
            sum += psiY[j] * psiY[j]
            prediction.horizonVariance[j] = prediction.variance[0] + sigma2 * sum
        }
    }

    /// The features of the next value given its regressors `x` (needs d + sD raw values).
    private static func buildFeatures(
        _ parameters: ForecastParameters, _ memory: SeriesForecasterState, x: [Double], into f: inout [Double]
    ) {
        let m = parameters.differencingOrder, k = parameters.regressors, c = parameters.differencing
        guard memory.rawFilled >= m else { return }
        var i = 0
        // Regressors differenced like y: x̃ = Σ cᵢ xₜ₊₁₋ᵢ with the given x as the newest.
        for j in 0..<k {
            var v = x[j]
            var l = 1
            while l <= m { v += c[l] * memory.rawX[(l - 1) * k + j]; l += 1 }
            f[i] = v; i += 1
        }
        for l in 0..<parameters.lags { f[i] = memory.z[l]; i += 1 }
        for l in 1...max(1, parameters.seasonalLags) where l <= parameters.seasonalLags {
            f[i] = memory.z[l * parameters.season - 1]; i += 1
        }
        for l in 0..<parameters.movingAverage { f[i] = memory.residuals[l]; i += 1 }
        for l in 1...max(1, parameters.seasonalMovingAverage) where l <= parameters.seasonalMovingAverage {
            f[i] = memory.residuals[l * parameters.season - 1]; i += 1
        }
        if parameters.bias { f[i] = 1 }
    }

    private static func prepare(_ prediction: inout Prediction) {
        prediction.kind = .real
        if prediction.mean.count != 1 { prediction.mean = [.nan] }
        if prediction.variance.count != 1 { prediction.variance = [.nan] }
        if prediction.error.count != 1 { prediction.error = [.nan] }
        prediction.mean[0] = .nan
        prediction.variance[0] = .nan
        prediction.error[0] = .nan
        if !prediction.probabilities.isEmpty { prediction.probabilities.removeAll(keepingCapacity: true) }
        prediction.surprise = .nan
        prediction.dof = .nan
        if !prediction.horizonMean.isEmpty {
            prediction.horizonMean.removeAll(keepingCapacity: true)
            prediction.horizonVariance.removeAll(keepingCapacity: true)
        }
    }

    private static func check(_ v: [Double], field: String, count: Int) throws(ObservationError) {
        guard v.count == count else { throw .wrongDimension(field: field, expected: count, got: v.count) }
        guard v.allSatisfy(\.isFinite) else { throw .nonFinite(field: field) }
    }
}
