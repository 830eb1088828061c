/// The `rls` model: exact online weighted ridge/OLS by recursive least squares ("RLS attention", math.md §2).
///
/// After `.series(y)` the published mean is Wᵀx_{t+1} at the next lag features; after `.labelled(x:y:)` it is the
/// refit Wᵀx at the same x (the next x is unknown; send a query for new features). The predictive is Student-t
/// (normal–inverse-gamma posterior, docs/math.md, "The predictive distribution"): ν = Σλ^{n−i} − p, variance J_j/(ν−2)·(1 + xᵀPx), NaN until ν > 2. The P update's
/// numerical form and its measured accuracy are documented on `RLSKernel.learn`.
public struct RLSPredictor: OnlinePredictor {
    public static let kind = "rls"

    public let parameters: RLSParameters
    public private(set) var state: RLSState
    private let autoregressive: Bool
    private let bias: Bool
    private let inverseLambda: Double

    public init(parameters: RLSParameters) {
        self.parameters = parameters
        state = RLSState(parameters: parameters)
        if case let .autoregressive(_, b) = parameters.layout {
            autoregressive = true
            bias = b
        } else {
            autoregressive = false
            bias = false
        }
        inverseLambda = 1 / parameters.lambda
    }

    public init(parameters: RLSParameters, state: RLSState) throws(StateDecodingError) {
        if let problem = state.fits(parameters) { throw problem }
        self.init(parameters: parameters)
        self.state = state
    }

    /// Weight i of the one-output fit (no copy of the weights).
    func weight(_ i: Int) -> Double { state.storage[state.layout.weights + i] }

    // MARK: learn_one

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        switch observation {
        case let .series(y):
            guard autoregressive else {
                throw .wrongKind(model: Self.kind, expected: "labelled", got: observation.kindName)
            }
            try Self.check(y, field: "y", count: parameters.outputs)
            absorbSeries(y, into: &prediction)
        case let .labelled(x, y):
            guard !autoregressive else {
                throw .wrongKind(model: Self.kind, expected: "series", got: observation.kindName)
            }
            try Self.check(x, field: "x", count: parameters.featureCount)
            try Self.check(y, field: "y", count: parameters.outputs)
            absorbLabelled(x: x, y: y, into: &prediction)
        case .symbol:
            throw .wrongKind(model: Self.kind, expected: autoregressive ? "series" : "labelled", got: observation.kindName)
        }
    }

    /// The noise scale of a one-output regression: J (the discounted residual sum of squares) and Σβ (its weight).
    public typealias NoiseScale = (squares: Double, weight: Double)

    /// What one learned pair (one output) leaves for a noise scale: its prior innovation e and s = gᵀPg.
    typealias Update = (innovation: Double, leverage: Double)

    /// `noise` after `update` with discount β: J ← βJ + λe²/(λ + s), Σβ ← βΣβ + 1, as a learned pair updates the
    /// regression's own.
    @inline(__always)
    static func discounted(_ noise: NoiseScale, by discount: Double, lambda: Double, after update: Update) -> NoiseScale {
        let f = lambda / (lambda + update.leverage)
        return (discountedSquares(noise.squares, by: discount, innovation: update.innovation, factor: f), discount * noise.weight + 1)
    }

    /// βJ + e²f, f = λ/(λ + s): one output's J after a learned pair with prior innovation e.
    @inline(__always)
    static func discountedSquares(_ squares: Double, by discount: Double, innovation e: Double, factor f: Double) -> Double {
        discount * squares + e * e * f
    }

    /// Σβ ← βΣβ + 1 and the pair count, after a learned pair.
    private mutating func countLearnedPair() {
        state.innovationWeight = parameters.varianceDiscount * state.innovationWeight + 1
        state.learnedPairs += 1
    }

    /// Learns the pair (x, y) of one output with the gain taken along `direction` g (x when nil): e = y − Wᵀx,
    /// W ← W + Pg·e/(λ + gᵀPg), P ← (P − Pg gᵀP/(λ + gᵀPg))/λ. With g the prediction-error gradient this is the
    /// recursive maximum-likelihood step for MA terms (``SeriesForecaster``). No Prediction: returns the refit mean
    /// Wᵀx and the step's ``Update``. p values each, finite: the caller's to check.
    mutating func learn(x: UnsafePointer<Double>, direction: UnsafePointer<Double>?, y: Double) -> (refit: Double, update: Update) {
        let p = state.featureCount, layout = state.layout
        let lambda = parameters.lambda, inverseLambda = inverseLambda
        var target = y, error = 0.0, refit = 0.0, leverage = 0.0
        state.storage.withUnsafeMutableBufferPointer { sb in
            let s = sb.baseAddress!
            leverage = Self.step(
                s, layout, p: p, q: 1, lambda: lambda, inverseLambda: inverseLambda, x: x, direction: direction ?? x,
                m: p, bias: false, y: &target, error: &error, learn: true, delta: parameters.delta,
                discount: parameters.varianceDiscount)
            RLSKernel.mean(weights: s + layout.weights, q: 1, x: x, m: p, bias: false, into: &refit)
        }
        countLearnedPair()
        state.count += 1
        return (refit, (error, leverage))
    }

    /// One output, no Prediction: the predictive at x (p finite values): mean, variance and ν exactly as
    /// ``predict(query:into:)`` publishes them, under `noise` instead of this regression's own when given.
    func predictive(x: UnsafePointer<Double>, noise: NoiseScale? = nil) -> (mean: Double, variance: Double, dof: Double) {
        var mean = 0.0, variance = 0.0
        let scale = noise ?? state.noiseScale
        let dof = withUnsafePointer(to: scale.squares) { squares in
            moments(x: x, m: state.featureCount, bias: false, leverage: nil, weight: scale.weight, squares: squares,
                    mean: &mean, variance: &variance)
        }
        return (mean, variance, dof)
    }

    /// Explicit features: e = y − Wᵀx, learn (x, y), publish the refit Wᵀx at the same x.
    private mutating func absorbLabelled(x: [Double], y: [Double], into prediction: inout Prediction) {
        Self.prepare(&prediction, outputs: state.outputs)
        let p = state.featureCount, q = state.outputs, layout = state.layout
        let lambda = parameters.lambda, inverseLambda = inverseLambda
        let s = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                prediction.error.withUnsafeMutableBufferPointer { eb in
                    state.storage.withUnsafeMutableBufferPointer { sb in
                        Self.step(
                            sb.baseAddress!, layout, p: p, q: q, lambda: lambda, inverseLambda: inverseLambda,
                            x: xb.baseAddress!, direction: xb.baseAddress!, m: p, bias: false, y: yb.baseAddress!,
                            error: eb.baseAddress!, learn: true, delta: parameters.delta, discount: parameters.varianceDiscount)
                    }
                }
            }
        }
        countLearnedPair()
        state.count += 1
        prediction.count = state.count
        // Updated leverage xᵀP_new x = s/(λ + s) exactly (P_new x = k): O(1) instead of another O(p²) pass.
        let leverage = s / (lambda + s)
        x.withUnsafeBufferPointer { xb in
            publish(x: xb.baseAddress!, m: p, bias: false, leverage: leverage, into: &prediction)
        }
    }

    /// Autoregressive: e = y − Wᵀx_t (zero-padded lags during warm-up), learn once the window is full,
    /// push y, publish Wᵀx_{t+1}.
    private mutating func absorbSeries(_ y: [Double], into prediction: inout Prediction) {
        Self.prepare(&prediction, outputs: state.outputs)
        let p = state.featureCount, q = state.outputs, layout = state.layout, m = state.lags * q
        let lambda = parameters.lambda, inverseLambda = inverseLambda, bias = bias
        let learn = state.historyIsFull
        y.withUnsafeBufferPointer { yb in
            prediction.error.withUnsafeMutableBufferPointer { eb in
                state.storage.withUnsafeMutableBufferPointer { sb in
                    let base = sb.baseAddress!
                    Self.step(
                        base, layout, p: p, q: q, lambda: lambda, inverseLambda: inverseLambda,
                        x: base + layout.history, direction: base + layout.history, m: m, bias: bias, y: yb.baseAddress!,
                        error: eb.baseAddress!, learn: learn,
                        delta: parameters.delta, discount: parameters.varianceDiscount)
                    RLSState.push(yb.baseAddress!, into: base + layout.history, count: m, outputs: q)
                }
            }
        }
        if learn { countLearnedPair() }
        if state.historyFilled < state.lags { state.historyFilled += 1 }
        state.count += 1
        prediction.count = state.count
        state.storage.withUnsafeBufferPointer { sb in
            publish(x: sb.baseAddress! + layout.history, m: m, bias: bias, into: &prediction)
        }
    }

    /// Writes the prior innovation into `error` and, if `learn`, performs the RLS update and the σ̂² squares on
    /// the state's storage `s`; returns xᵀPx before the update (0 if not learning). `x` may point into `s`'s history.
    ///
    /// The common shape p = m = 4, q = 1 without bias is passed as constants so the O(p²) loops unroll completely;
    /// the operations and their order are the same, so the rounding is too.
    @inline(__always)
    @discardableResult
    private static func step(
        _ s: UnsafeMutablePointer<Double>, _ layout: RLSState.Layout, p: Int, q: Int, lambda: Double,
        inverseLambda: Double, x: UnsafePointer<Double>, direction g: UnsafePointer<Double>, m: Int, bias: Bool,
        y: UnsafePointer<Double>, error e: UnsafeMutablePointer<Double>, learn: Bool, delta: Double, discount: Double
    ) -> Double {
        if p == 4, m == 4, q == 1, !bias {
            return shapedStep(
                s, layout, p: 4, q: 1, lambda: lambda, inverseLambda: inverseLambda, x: x, direction: g, m: 4, bias: false, y: y,
                error: e, learn: learn, delta: delta, discount: discount)
        }
        return shapedStep(
            s, layout, p: p, q: q, lambda: lambda, inverseLambda: inverseLambda, x: x, direction: g, m: m, bias: bias, y: y,
            error: e, learn: learn, delta: delta, discount: discount)
    }

    @inline(__always)
    private static func shapedStep(
        _ s: UnsafeMutablePointer<Double>, _ layout: RLSState.Layout, p: Int, q: Int, lambda: Double,
        inverseLambda: Double, x: UnsafePointer<Double>, direction g: UnsafePointer<Double>, m: Int, bias: Bool,
        y: UnsafePointer<Double>, error e: UnsafeMutablePointer<Double>, learn: Bool, delta: Double, discount: Double
    ) -> Double {
        let w = s + layout.weights
        RLSKernel.mean(weights: w, q: q, x: x, m: m, bias: bias, into: e)
        var j = 0
        while j < q { e[j] = y[j] - e[j]; j &+= 1 }
        guard learn else { return 0 }
        let r = RLSKernel.learn(
            covariance: s, weights: w, p: p, q: q, x: g, m: m, bias: bias, innovation: e,
            scratch: s + layout.scratch, lambda: lambda, inverseLambda: inverseLambda,
            ceiling: RLSKernel.ceiling(delta: delta))
        // The posterior residual sum of squares J_n = min_w [Σ λ^{n−i}(y_i − wᵀx_i)² + λⁿδ‖w − w₀‖²] obeys
        // J_n = λJ_{n−1} + λe²/(λ + xᵀP_{n−1}x) exactly (docs/math.md, "The predictive distribution"), so early underdetermined fits weigh ~0.
        // With a variance discount β ≠ λ the old evidence is discounted by β instead (West & Harrison §10.8).
        let squares = s + layout.squares
        let f = lambda / (lambda + r)
        j = 0
        while j < q { squares[j] = discountedSquares(squares[j], by: discount, innovation: e[j], factor: f); j &+= 1 }
        return r
    }

    // MARK: predict_one

    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        try Self.check(x, field: "x", count: parameters.featureCount)
        Self.prepare(&prediction, outputs: parameters.outputs)
        prediction.count = state.count
        x.withUnsafeBufferPointer { xb in publish(x: xb.baseAddress!, m: xb.count, bias: false, into: &prediction) }
        prediction.error.withUnsafeMutableBufferPointer { eb in
            for j in 0..<eb.count { eb[j] = .nan }
        }
    }

    /// Autoregressive: the prediction at the current lag features. Explicit: all NaN, since the next x is unknown
    /// (use ``predict(query:into:)``). `error` is NaN: nothing was just absorbed.
    public func currentPrediction(into prediction: inout Prediction) {
        Self.prepare(&prediction, outputs: parameters.outputs)
        prediction.count = state.count
        if autoregressive {
            let layout = state.layout
            state.storage.withUnsafeBufferPointer { sb in
                publish(x: sb.baseAddress! + layout.history, m: state.lags * state.outputs, bias: bias, into: &prediction)
            }
        } else {
            prediction.mean.withUnsafeMutableBufferPointer { for j in 0..<$0.count { $0[j] = .nan } }
            prediction.variance.withUnsafeMutableBufferPointer { for j in 0..<$0.count { $0[j] = .nan } }
        }
        prediction.error.withUnsafeMutableBufferPointer { for j in 0..<$0.count { $0[j] = .nan } }
    }

    public mutating func reset() {
        state.reset(parameters: parameters)
    }

    // MARK: helpers

    /// mean = Wᵀx and variance = σ̂²(1 + xᵀPx) (NaN before the first learned pair) at x = (x[0..<m], 1 if bias);
    /// `leverage` is xᵀPx when the caller already knows it.
    private func publish(
        x: UnsafePointer<Double>, m: Int, bias: Bool, leverage known: Double? = nil, into prediction: inout Prediction
    ) {
        let squares = state.layout.squares, weight = state.innovationWeight
        state.storage.withUnsafeBufferPointer { sb in
            prediction.mean.withUnsafeMutableBufferPointer { mb in
                prediction.variance.withUnsafeMutableBufferPointer { vb in
                    prediction.dof = moments(
                        x: x, m: m, bias: bias, leverage: known, weight: weight, squares: sb.baseAddress! + squares,
                        mean: mb.baseAddress!, variance: vb.baseAddress!)
                }
            }
        }
    }

    /// Writes the q means and variances at x into `mean` and `variance` under the noise scale (`squares`, J per
    /// output, and `weight`, Σβ) and returns the published ν (NaN ≤ 0).
    @inline(__always)
    private func moments(
        x: UnsafePointer<Double>, m: Int, bias: Bool, leverage known: Double?, weight: Double,
        squares: UnsafePointer<Double>, mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>
    ) -> Double {
        let p = state.featureCount, q = state.outputs
        // Constant shape as in `step`: unrolled loops, same operations.
        if p == 4, m == 4, q == 1, !bias {
            return shapedMoments(
                p: 4, q: 1, x: x, m: 4, bias: false, leverage: known, weight: weight, squares: squares, mean: mean,
                variance: variance)
        }
        return shapedMoments(
            p: p, q: q, x: x, m: m, bias: bias, leverage: known, weight: weight, squares: squares, mean: mean,
            variance: variance)
    }

    @inline(__always)
    private func shapedMoments(
        p: Int, q: Int, x: UnsafePointer<Double>, m: Int, bias: Bool, leverage known: Double?, weight innovationWeight: Double,
        squares: UnsafePointer<Double>, mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>
    ) -> Double {
        let layout = RLSState.Layout(p: p, q: q, lags: state.lags)
        // Normal–inverse-gamma posterior (reference prior a₀ = −p/2, b₀ = 0): Student-t predictive with
        // ν = Σλ^{n−i} − p degrees of freedom, scale² = J/ν·(1 + xᵀPx); its variance needs ν > 2.
        let nu = innovationWeight - Double(p)
        let learned = nu > 2
        let weight = nu - 2
        state.storage.withUnsafeBufferPointer { sb in
            let s = sb.baseAddress!
            RLSKernel.mean(weights: s + layout.weights, q: q, x: x, m: m, bias: bias, into: mean)
            let leverage = !learned ? 0 : known ?? RLSKernel.quadraticForm(covariance: s, p: p, x: x, m: m, bias: bias)
            var j = 0
            while j < q { variance[j] = learned ? (squares[j] / weight) * (1 + leverage) : .nan; j &+= 1 }
        }
        return nu > 0 ? nu : .nan
    }

    /// Sizes the buffers of a real prediction (allocating only when the size changes) and clears symbol fields.
    @inline(__always)
    private static func prepare(_ prediction: inout Prediction, outputs q: Int) {
        prediction.kind = .real
        if prediction.mean.count != q { prediction.mean = [Double](repeating: .nan, count: q) }
        if prediction.variance.count != q { prediction.variance = [Double](repeating: .nan, count: q) }
        if prediction.error.count != q { prediction.error = [Double](repeating: .nan, count: q) }
        if !prediction.probabilities.isEmpty { prediction.probabilities.removeAll(keepingCapacity: true) }
        prediction.surprise = .nan
        prediction.dof = .nan
    }

    /// Length then finiteness of one observation vector.
    @inline(__always)
    private static func check(_ v: [Double], field: String, count: Int) throws(ObservationError) {
        guard v.count == count else { throw .wrongDimension(field: field, expected: count, got: v.count) }
        // Σ v_i·0 is 0 exactly when every v_i is finite (∞·0 and NaN·0 are NaN): branch-free over the vector.
        let probe = v.withUnsafeBufferPointer { b in
            var acc = 0.0, i = 0
            while i < b.count { acc += b[i] * 0; i &+= 1 }
            return acc
        }
        guard probe == 0 else { throw .nonFinite(field: field) }
    }
}
