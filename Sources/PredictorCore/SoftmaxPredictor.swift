/// The `softmax` model: exponential-kernel attention ŷ = Σᵢ softmaxᵢ(β xᵢᵀx) yᵢ over the last W pairs (math.md §3).
///
/// A Nadaraya–Watson average, O(W·p) per step; its oracle is the direct formula over the window, not OLS.
public struct SoftmaxPredictor: OnlinePredictor {
    public static let kind = "softmax"

    public private(set) var parameters: SoftmaxParameters
    public internal(set) var state: SoftmaxState

    /// Scratch (not state): the current feature vector x (p entries).
    var query: [Double]
    /// Scratch (not state): logits and unnormalised weights exp(logit − max), grown up to W entries.
    private var logits: [Double] = []
    private var weights: [Double] = []
    /// Cache (not state) of the mean at the current lag features, i.e. the last published mean (autoregressive).
    var published: [Double]
    var publishedIsCurrent = false
    /// Scratch (not state) of the forecasting form: logits, weights, the standardised query and the scales.
    var forecastScratch: [Double] = []
    /// Scratch (not state): the differenced value zₜ (q entries).
    var differenced: [Double]

    public init(parameters: SoftmaxParameters) {
        self.parameters = parameters
        state = SoftmaxState(parameters: parameters)
        query = [Double](repeating: 0, count: parameters.featureCount)
        published = [Double](repeating: 0, count: parameters.outputs)
        differenced = [Double](repeating: 0, count: parameters.outputs)
    }

    public init(parameters: SoftmaxParameters, state: SoftmaxState) throws(StateDecodingError) {
        try state.validate(against: parameters)
        self.init(parameters: parameters)
        self.state = state
    }

    /// Continues the context under another β (learned slow memory), keeping its window; no allocation.
    /// Returns false, changing nothing, when β is not finite and > 0.
    public mutating func adopt(beta: Double) -> Bool {
        guard let other = try? parameters.with(beta: beta) else { return false }
        parameters = other
        publishedIsCurrent = false
        return true
    }

    // MARK: learn_one

    /// `.series(y)`: error = y − last published mean, store (lags, y) once the lags are real, publish at the next lags.
    /// `.labelled(x:y:)`: error = y − prediction at x before storing; publishes the prediction at the same x after.
    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        let q = parameters.outputs
        switch (observation, parameters.layout) {
        case let (.series(y), .autoregressive(_, bias)):
            try Self.check(y, field: "y", count: q)
            if parameters.options.isForecasting {
                observeForecastingSeries(y, bias: bias, into: &prediction)
            } else {
                observeSeries(y, bias: bias, into: &prediction)
            }
        case let (.labelled(x, y), .explicit):
            try Self.check(x, field: "x", count: parameters.featureCount)
            try Self.check(y, field: "y", count: q)
            if parameters.options.isForecasting {
                observeForecastingLabelled(x: x, y: y, into: &prediction)
            } else {
                observeLabelled(x: x, y: y, into: &prediction)
            }
        default:
            throw .wrongKind(model: Self.kind, expected: expectedKind, got: observation.kindName)
        }
    }

    private mutating func observeSeries(_ y: [Double], bias: Bool, into prediction: inout Prediction) {
        let q = parameters.outputs
        state.history!.features(into: &query, bias: bias)
        if !publishedIsCurrent {
            ensureScratch(state.fill)
            computeLogits(count: state.fill)
            let total = computeWeights(count: state.fill).total
            Self.average(count: state.fill, weights: weights, total: total, values: state.values,
                         prior: parameters.priorMean, mean: &published, variance: &prediction.variance, withVariance: false)
        }
        prepare(&prediction)
        for c in 0..<q { prediction.error[c] = y[c] - published[c] }
        if state.history!.isFull { state.store(key: query, value: y) }
        state.history!.push(y)
        state.count += 1
        state.history!.features(into: &query, bias: bias)
        ensureScratch(state.fill)
        computeLogits(count: state.fill)
        let total = computeWeights(count: state.fill).total
        Self.average(count: state.fill, weights: weights, total: total, values: state.values,
                     prior: parameters.priorMean, mean: &prediction.mean, variance: &prediction.variance, withVariance: true)
        for c in 0..<q { published[c] = prediction.mean[c] }
        publishedIsCurrent = true
        prediction.count = state.count
    }

    private mutating func observeLabelled(x: [Double], y: [Double], into prediction: inout Prediction) {
        let q = parameters.outputs, window = parameters.window
        for j in 0..<query.count { query[j] = x[j] }
        let n = state.fill
        ensureScratch(Swift.min(n + 1, window))
        prepare(&prediction)
        // Before storing: the prediction at x that y is scored against.
        computeLogits(count: n)
        let top: Double
        var total: Double
        (top, total) = computeWeights(count: n)
        Self.average(count: n, weights: weights, total: total, values: state.values, prior: parameters.priorMean,
                     mean: &prediction.mean, variance: &prediction.variance, withVariance: false)
        for c in 0..<q { prediction.error[c] = y[c] - prediction.mean[c] }
        let evicted = n == window ? logits[state.head] : -Double.infinity
        let slot = state.store(key: query, value: y)
        state.count += 1
        // After storing only the stored slot's logit differs (β·xᵀx), so the weights are updated with one exp,
        // unless the evicted pair held the maximum (then every weight is recomputed against the new maximum).
        let logit = query.withUnsafeBufferPointer { x in
            parameters.beta * SoftmaxAttention.dot(x.baseAddress!, x.baseAddress!, x.count)
        }
        logits[slot] = logit
        let m = state.fill
        if n == 0 || !top.isFinite || !logit.isFinite || evicted == top {
            total = computeWeights(count: m).total
        } else {
            total = weights.withUnsafeMutableBufferPointer { w in
                if logit > top {  // the new pair is the maximum: shift every weight by exp(top − logit)
                    let rescale = SoftmaxAttention.weight(logit: top, top: logit)
                    for i in 0..<m { w[i] *= rescale }
                    w[slot] = 1
                } else {
                    w[slot] = SoftmaxAttention.weight(logit: logit, top: top)
                }
                var sum = 0.0
                for i in 0..<m { sum += w[i] }
                return sum
            }
        }
        Self.average(count: m, weights: weights, total: total, values: state.values, prior: parameters.priorMean,
                     mean: &prediction.mean, variance: &prediction.variance, withVariance: true)
        prediction.count = state.count
    }

    // MARK: predict_one

    /// The prediction for features `x` (p components) given the window; `error` is NaN.
    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        try Self.check(x, field: "x", count: parameters.featureCount)
        prepare(&prediction)
        for c in 0..<parameters.outputs { prediction.error[c] = .nan }
        if parameters.options.isForecasting {
            Self.forecast(state: state, parameters: parameters, query: x, into: &prediction)
        } else {
            Self.attend(state: state, parameters: parameters, query: x, into: &prediction)
        }
    }

    /// Autoregressive: the prediction at the current lag features (what `observe` last published).
    /// Explicit: mean, variance and error are NaN, since the next query's x is not known yet.
    public func currentPrediction(into prediction: inout Prediction) {
        prepare(&prediction)
        for c in 0..<parameters.outputs { prediction.error[c] = .nan }
        guard case let .autoregressive(_, bias) = parameters.layout, let history = state.history else {
            for c in 0..<parameters.outputs { prediction.mean[c] = .nan; prediction.variance[c] = .nan }
            return
        }
        var x = query
        history.features(into: &x, bias: bias)
        if parameters.options.isForecasting {
            Self.forecast(state: state, parameters: parameters, query: x, into: &prediction)
        } else {
            Self.attend(state: state, parameters: parameters, query: x, into: &prediction)
        }
    }

    public mutating func reset() {
        state.clear()
        publishedIsCurrent = false
    }

    // MARK: helpers

    private var expectedKind: String {
        switch parameters.layout {
        case .autoregressive: "series"
        case .explicit: "labelled"
        }
    }

    static func check(_ v: [Double], field: String, count: Int) throws(ObservationError) {
        guard v.count == count else { throw .wrongDimension(field: field, expected: count, got: v.count) }
        // Index loop: in debug builds the array iterator's read coroutine allocates a frame per element.
        var i = 0
        while i < count {
            if !v[i].isFinite { throw .nonFinite(field: field) }
            i += 1
        }
    }

    /// Sizes the prediction's buffers (no allocation once they have the right size) and fills the fixed fields.
    func prepare(_ prediction: inout Prediction) {
        let q = parameters.outputs
        prediction.kind = .real
        prediction.count = state.count
        prediction.mean.reset(count: q, to: 0)
        prediction.variance.reset(count: q, to: .nan)
        prediction.error.reset(count: q, to: .nan)
        if !prediction.probabilities.isEmpty { prediction.probabilities.removeAll(keepingCapacity: true) }
        prediction.surprise = .nan
        prediction.dof = .infinity  // a Gaussian predictive around the kernel average
    }

    /// Grows the logit/weight scratch to at least `n` entries (geometrically, capped at W).
    private mutating func ensureScratch(_ n: Int) {
        guard logits.count < n else { return }
        let size = Swift.min(parameters.window, Swift.max(n, 2 * logits.count, 16))
        logits = [Double](repeating: 0, count: size)
        weights = [Double](repeating: 0, count: size)
    }

    /// Writes the logits β·xᵢᵀ`query` of the first `n` slots into the logit scratch.
    private mutating func computeLogits(count n: Int) {
        let beta = parameters.beta
        state.keys.withUnsafeBufferPointer { k in
            query.withUnsafeBufferPointer { x in
                logits.withUnsafeMutableBufferPointer { l in
                    SoftmaxAttention.logits(keys: k, query: x, beta: beta, into: .init(rebasing: l[0..<n]))
                }
            }
        }
    }

    /// Writes the weights exp(logitᵢ − max) of the first `n` slots into the weight scratch; returns the max and their sum.
    private mutating func computeWeights(count n: Int) -> (top: Double, total: Double) {
        logits.withUnsafeBufferPointer { l in
            weights.withUnsafeMutableBufferPointer { w in
                let l = UnsafeBufferPointer(rebasing: l[0..<n])
                let top = SoftmaxAttention.maximum(l)
                return (top, SoftmaxAttention.weights(logits: l, top: top, into: w))
            }
        }
    }

    /// Kernel average of the first `n` slots under `weights[0..<n]` (the prior mean and NaN variance if `n` is 0).
    private static func average(count n: Int, weights: [Double], total: Double, values: [Double], prior: [Double],
                                mean: inout [Double], variance: inout [Double], withVariance: Bool) {
        let q = prior.count
        guard n > 0 else {
            for c in 0..<q { mean[c] = prior[c] }
            if withVariance { for c in 0..<q { variance[c] = .nan } }
            return
        }
        weights.withUnsafeBufferPointer { w in
            values.withUnsafeBufferPointer { v in
                mean.withUnsafeMutableBufferPointer { m in
                    let w = UnsafeBufferPointer(rebasing: w[0..<n])
                    if withVariance {
                        variance.withUnsafeMutableBufferPointer { s in
                            SoftmaxAttention.average(weights: w, total: total, values: v, outputs: q, mean: m, variance: s)
                        }
                    } else {
                        SoftmaxAttention.average(weights: w, total: total, values: v, outputs: q, mean: m, variance: nil)
                    }
                }
            }
        }
    }

    /// Non-mutating prediction at `x` into `prediction.mean`/`variance`, with stack (or temporary) scratch.
    private static func attend(state: SoftmaxState, parameters: SoftmaxParameters, query x: [Double],
                               into prediction: inout Prediction) {
        let n = state.fill
        guard n > 0 else {
            for c in 0..<parameters.outputs {
                prediction.mean[c] = parameters.priorMean[c]
                prediction.variance[c] = .nan
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * n) { scratch in
            let l = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
            let w = UnsafeMutableBufferPointer(rebasing: scratch[n..<2 * n])
            state.keys.withUnsafeBufferPointer { k in
                x.withUnsafeBufferPointer { xb in
                    SoftmaxAttention.logits(keys: k, query: xb, beta: parameters.beta, into: l)
                }
            }
            state.values.withUnsafeBufferPointer { v in
                prediction.mean.withUnsafeMutableBufferPointer { m in
                    prediction.variance.withUnsafeMutableBufferPointer { s in
                        SoftmaxAttention.average(logits: UnsafeBufferPointer(l), values: v, outputs: parameters.outputs,
                                                 weights: w, mean: m, variance: s)
                    }
                }
            }
        }
    }
}
