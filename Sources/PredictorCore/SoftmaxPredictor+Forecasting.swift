import RealModule

/// The forecasting form of the `softmax` model (``SoftmaxOptions``, docs/math.md, "Softmax attention"): attention
/// over the differenced series with standardised keys, and a predictive variance that stays finite.
extension SoftmaxPredictor {
    /// `.series(y)`: error against the published mean; store (lags of z, zₜ) once z and its lags are known; publish.
    mutating func observeForecastingSeries(_ y: [Double], bias: Bool, into prediction: inout Prediction) {
        let q = parameters.outputs
        if !publishedIsCurrent {
            currentPrediction(into: &prediction)
            for c in 0..<q { published[c] = prediction.mean[c] }
        }
        prepare(&prediction)
        for c in 0..<q { prediction.error[c] = y[c] - published[c] }
        // zₜ = Σᵢ cᵢ yₜ₋ᵢ once the d + sD earlier raw values are known (zₜ = yₜ without differencing).
        var ready = true
        if let raw = state.raw {
            ready = raw.isFull
            if ready {
                let coefficients = parameters.options.differencing
                for c in 0..<q {
                    var z = y[c]
                    var i = 1
                    while i < coefficients.count { z += coefficients[i] * raw.values[(i - 1) * q + c]; i += 1 }
                    differenced[c] = z
                }
            }
        } else {
            for c in 0..<q { differenced[c] = y[c] }
        }
        if ready {
            state.history!.features(into: &query, bias: bias)
            if state.history!.isFull { state.store(key: query, value: differenced) }
            state.history!.push(differenced)
        }
        state.raw?.push(y)
        state.count += 1
        state.history!.features(into: &query, bias: bias)
        forecastInPlace(into: &prediction)
        for c in 0..<q { published[c] = prediction.mean[c] }
        publishedIsCurrent = true
        prediction.count = state.count
    }

    /// `.labelled(x:y:)`: error = y − the forecast at x before storing; publishes the forecast at x after.
    mutating func observeForecastingLabelled(x: [Double], y: [Double], into prediction: inout Prediction) {
        let q = parameters.outputs
        for j in 0..<query.count { query[j] = x[j] }
        prepare(&prediction)
        forecastInPlace(into: &prediction)
        for c in 0..<q { prediction.error[c] = y[c] - prediction.mean[c] }
        state.store(key: query, value: y)
        state.count += 1
        forecastInPlace(into: &prediction)
        prediction.count = state.count
    }

    /// The forecast at `query` with the predictor's own scratch (no allocation once it has grown to the window).
    private mutating func forecastInPlace(into prediction: inout Prediction) {
        let size = Self.scratchSize(fill: state.fill, features: parameters.featureCount)
        if forecastScratch.count < size {
            forecastScratch = [Double](repeating: 0, count: Swift.max(size, Swift.min(2 * forecastScratch.count,
                Self.scratchSize(fill: parameters.window, features: parameters.featureCount))))
        }
        let (state, parameters) = (self.state, self.parameters)
        query.withUnsafeBufferPointer { x in
            forecastScratch.withUnsafeMutableBufferPointer { scratch in
                Self.forecast(state: state, parameters: parameters, query: x, scratch: scratch, into: &prediction)
            }
        }
    }

    /// The forecast at `x` with temporary scratch (queries and `currentPrediction`); the same bits as in place.
    static func forecast(state: SoftmaxState, parameters: SoftmaxParameters, query x: [Double],
                         into prediction: inout Prediction) {
        withUnsafeTemporaryAllocation(of: Double.self,
                                      capacity: scratchSize(fill: state.fill, features: parameters.featureCount)) { scratch in
            x.withUnsafeBufferPointer { xb in
                forecast(state: state, parameters: parameters, query: xb, scratch: scratch, into: &prediction)
            }
        }
    }

    private static func scratchSize(fill: Int, features: Int) -> Int { 2 * fill + 2 * features }

    /// mean = Σ wᵢzᵢ + (the known part of yₜ), variance = max(σ̂²(1 + 1/n_eff), φ·σ₀²) with
    /// σ̂² = (n_eff·s² + ν₀σ₀²)/(n_eff + ν₀), s² the kernel spread, σ₀² the running value variance and
    /// n_eff = (Σwᵢ)²/Σwᵢ² the effective sample size of the weights (docs/math.md).
    private static func forecast(state: SoftmaxState, parameters: SoftmaxParameters, query x: UnsafeBufferPointer<Double>,
                                 scratch: UnsafeMutableBufferPointer<Double>, into prediction: inout Prediction) {
        let q = parameters.outputs, p = parameters.featureCount, n = state.fill
        let options = parameters.options
        if let raw = state.raw, !raw.isFull {
            // Before d + sD raw values: the last value (or the prior), no variance.
            for c in 0..<q {
                prediction.mean[c] = raw.filled > 0 ? raw.values[c] : parameters.priorMean[c]
                prediction.variance[c] = .nan
            }
            return
        }
        // The part of yₜ known before it arrives: yₜ − zₜ = −Σ_{i≥1} cᵢ yₜ₋ᵢ.
        func known(_ c: Int) -> Double {
            guard let raw = state.raw else { return 0 }
            var k = 0.0
            for i in 1..<options.differencing.count { k -= options.differencing[i] * raw.values[(i - 1) * q + c] }
            return k
        }
        guard n > 0 else {
            for c in 0..<q {
                prediction.mean[c] = parameters.priorMean[c] + known(c)
                prediction.variance[c] = .nan
            }
            return
        }
        let logits = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
        let weights = UnsafeMutableBufferPointer(rebasing: scratch[n..<2 * n])
        let centred = UnsafeMutableBufferPointer(rebasing: scratch[2 * n..<2 * n + p])
        let scales = UnsafeMutableBufferPointer(rebasing: scratch[2 * n + p..<2 * n + 2 * p])
        let moments = state.keyMoments
        for j in 0..<p {
            scales[j] = options.standardize ? moments.inverseScale(j) : 1
            centred[j] = options.standardize ? (x[j] - moments.mean[j]) * scales[j] : x[j]
        }
        let beta = parameters.beta
        state.keys.withUnsafeBufferPointer { keys in
            for i in 0..<n {
                let k = keys.baseAddress! + i * p
                var sum = 0.0
                switch options.kernel {
                case .distance:  // −β‖k̃ − x̃‖²/2; the centring cancels
                    for j in 0..<p {
                        let d = (k[j] - x[j]) * scales[j]
                        sum += d * d
                    }
                    logits[i] = -0.5 * beta * sum
                case .dot:
                    for j in 0..<p { sum += (options.standardize ? (k[j] - moments.mean[j]) * scales[j] : k[j]) * centred[j] }
                    logits[i] = beta * sum
                }
            }
        }
        let top = SoftmaxAttention.maximum(UnsafeBufferPointer(logits))
        let total = SoftmaxAttention.weights(logits: UnsafeBufferPointer(logits), top: top, into: weights)
        var squares = 0.0
        for i in 0..<n { squares += weights[i] * weights[i] }
        let effective = total * total / squares
        state.values.withUnsafeBufferPointer { v in
            for c in 0..<q {
                var sum = 0.0
                for i in 0..<n { sum += weights[i] * v[i * q + c] }
                let mean = sum / total
                var spread = 0.0
                for i in 0..<n {
                    let d = v[i * q + c] - mean
                    spread += weights[i] * d * d
                }
                spread /= total
                let prior = state.valueMoments.variance(c)
                let shrunk = (effective * spread + options.variancePrior * prior) / (effective + options.variancePrior)
                let predictive = shrunk * (1 + 1 / effective)
                prediction.mean[c] = mean + known(c)
                // NaN until two pairs give a running variance; then never below the floor (nor 0), so finite density.
                prediction.variance[c] = prior.isNaN
                    ? .nan : Swift.max(predictive, options.varianceFloor * prior, .leastNormalMagnitude)
            }
        }
    }
}

extension SoftmaxPredictor {
    /// The forecasting form's β gradient for a target y at features x (series: the current lag features):
    /// g = −β Σ_c e_c ∂ŷ_c/∂β = dL/d log β of L = ½‖y − ŷ‖², with ∂ŷ/∂β = Σ wᵢ(sᵢ − s̄)zᵢ and sᵢ = logitᵢ/β the
    /// form's score (standardised dot product or −‖k̃ᵢ − x̃‖²/2). Nil with an empty window or no forecast yet.
    public func forecastGradient(query x: [Double], target y: [Double]) -> Double? {
        let n = state.fill, p = parameters.featureCount, q = parameters.outputs, beta = parameters.beta
        guard n > 0, x.count == p, y.count == q, state.raw?.isFull ?? true else { return nil }
        var prediction = Prediction()
        prepare(&prediction)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * n + 2 * p) { scratch -> Double? in
            x.withUnsafeBufferPointer { xb in
                Self.forecast(state: state, parameters: parameters, query: xb, scratch: scratch, into: &prediction)
            }
            var total = 0.0, ws = 0.0
            for i in 0..<n {
                total += scratch[n + i]
                ws += scratch[n + i] * scratch[i] / beta
            }
            guard total > 0, total.isFinite else { return nil }
            let sBar = ws / total
            var g = 0.0
            state.values.withUnsafeBufferPointer { v in
                for c in 0..<q {
                    var wv = 0.0, wsv = 0.0
                    for i in 0..<n {
                        wv += scratch[n + i] * v[i * q + c]
                        wsv += scratch[n + i] * scratch[i] / beta * v[i * q + c]
                    }
                    let slope = wsv / total - sBar * wv / total
                    g -= (y[c] - prediction.mean[c]) * slope
                }
            }
            g *= beta
            return g.isFinite ? g : nil
        }
    }
}
