/// The `softmax` model: exponential-kernel attention ŷ = Σᵢ softmaxᵢ(β xᵢᵀx) yᵢ over the last W pairs (math.md §3).
///
/// A Nadaraya–Watson average, O(W·p) per step; its oracle is the direct formula over the window, not OLS.
public struct SoftmaxPredictor: OnlinePredictor {
    public static let kind = "softmax"

    public let parameters: SoftmaxParameters
    public private(set) var state: SoftmaxState

    /// Scratch (not state): the current feature vector x (p entries).
    private var query: [Double]
    /// Scratch (not state): logits and normalised-weight buffers, grown up to W entries.
    private var logits: [Double] = []
    private var weights: [Double] = []
    /// Cache (not state) of the mean at the current lag features, i.e. the last published mean (autoregressive).
    private var published: [Double]
    private var publishedIsCurrent = false

    public init(parameters: SoftmaxParameters) {
        self.parameters = parameters
        state = SoftmaxState(parameters: parameters)
        query = [Double](repeating: 0, count: parameters.featureCount)
        published = [Double](repeating: 0, count: parameters.outputs)
    }

    public init(parameters: SoftmaxParameters, state: SoftmaxState) throws(StateDecodingError) {
        try state.validate(against: parameters)
        self.init(parameters: parameters)
        self.state = state
    }

    // MARK: learn_one

    /// `.series(y)` (autoregressive): error = y − the previously published mean; the pair (lags, y) is stored once the
    /// lags are all real; then the prediction at the next lag features. `.labelled(x:y:)` (explicit): error = y − the
    /// prediction at x before storing; the published prediction is the one at the same x after storing the pair.
    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        let q = parameters.outputs
        switch (observation, parameters.layout) {
        case let (.series(y), .autoregressive(_, bias)):
            try Self.check(y, field: "y", count: q)
            observeSeries(y, bias: bias, into: &prediction)
        case let (.labelled(x, y), .explicit):
            try Self.check(x, field: "x", count: parameters.featureCount)
            try Self.check(y, field: "y", count: q)
            observeLabelled(x: x, y: y, into: &prediction)
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
            Self.average(count: state.fill, logits: logits, weights: &weights, values: state.values,
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
        Self.average(count: state.fill, logits: logits, weights: &weights, values: state.values,
                     prior: parameters.priorMean, mean: &prediction.mean, variance: &prediction.variance, withVariance: true)
        for c in 0..<q { published[c] = prediction.mean[c] }
        publishedIsCurrent = true
        prediction.count = state.count
    }

    private mutating func observeLabelled(x: [Double], y: [Double], into prediction: inout Prediction) {
        let q = parameters.outputs
        for j in 0..<query.count { query[j] = x[j] }
        let before = state.fill
        ensureScratch(Swift.min(before + 1, parameters.window))
        prepare(&prediction)
        computeLogits(count: before)
        Self.average(count: before, logits: logits, weights: &weights, values: state.values,
                     prior: parameters.priorMean, mean: &prediction.mean, variance: &prediction.variance, withVariance: false)
        for c in 0..<q { prediction.error[c] = y[c] - prediction.mean[c] }
        let slot = state.store(key: query, value: y)
        state.count += 1
        // Only the stored slot's logit changed: β·xᵀx, computed exactly as `logits(keys:query:…)` would.
        let logit = query.withUnsafeBufferPointer { x in
            parameters.beta * SoftmaxAttention.dot(x.baseAddress!, x.baseAddress!, x.count)
        }
        logits[slot] = logit
        Self.average(count: state.fill, logits: logits, weights: &weights, values: state.values,
                     prior: parameters.priorMean, mean: &prediction.mean, variance: &prediction.variance, withVariance: true)
        prediction.count = state.count
    }

    // MARK: predict_one

    /// The prediction for features `x` (p components) given the window; `error` is NaN.
    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        try Self.check(x, field: "x", count: parameters.featureCount)
        prepare(&prediction)
        for c in 0..<parameters.outputs { prediction.error[c] = .nan }
        Self.attend(state: state, parameters: parameters, query: x, into: &prediction)
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
        Self.attend(state: state, parameters: parameters, query: x, into: &prediction)
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

    private static func check(_ v: [Double], field: String, count: Int) throws(ObservationError) {
        guard v.count == count else { throw .wrongDimension(field: field, expected: count, got: v.count) }
        for value in v where !value.isFinite { throw .nonFinite(field: field) }
    }

    /// Sizes the prediction's buffers (no allocation once they have the right size) and fills the fixed fields.
    private func prepare(_ prediction: inout Prediction) {
        let q = parameters.outputs
        prediction.kind = .real
        prediction.count = state.count
        prediction.mean.reset(count: q, to: 0)
        prediction.variance.reset(count: q, to: .nan)
        prediction.error.reset(count: q, to: .nan)
        if !prediction.probabilities.isEmpty { prediction.probabilities.removeAll(keepingCapacity: true) }
        prediction.surprise = .nan
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

    /// Kernel average of the first `n` slots under `logits[0..<n]` (the prior mean and NaN variance if `n` is 0).
    private static func average(count n: Int, logits: [Double], weights: inout [Double], values: [Double], prior: [Double],
                                mean: inout [Double], variance: inout [Double], withVariance: Bool) {
        let q = prior.count
        guard n > 0 else {
            for c in 0..<q { mean[c] = prior[c] }
            if withVariance { for c in 0..<q { variance[c] = .nan } }
            return
        }
        logits.withUnsafeBufferPointer { l in
            values.withUnsafeBufferPointer { v in
                weights.withUnsafeMutableBufferPointer { w in
                    mean.withUnsafeMutableBufferPointer { m in
                        if withVariance {
                            variance.withUnsafeMutableBufferPointer { s in
                                SoftmaxAttention.average(logits: .init(rebasing: l[0..<n]), values: v, outputs: q,
                                                         weights: w, mean: m, variance: s)
                            }
                        } else {
                            SoftmaxAttention.average(logits: .init(rebasing: l[0..<n]), values: v, outputs: q,
                                                     weights: w, mean: m, variance: nil)
                        }
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
