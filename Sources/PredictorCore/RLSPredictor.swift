/// The `rls` model: exact online weighted ridge/OLS by recursive least squares ("RLS attention", math.md §2).
///
/// After `.series(y)` the published mean is Wᵀx_{t+1} at the next lag features; after `.labelled(x:y:)` it is the
/// refit Wᵀx at the same x (the next x is unknown; send a query for new features). Variance is σ̂²_j (1 + xᵀPx),
/// σ̂²_j the λ-weighted mean square of the prior innovations, NaN before the first learned pair. The P update's
/// numerical form and its measured accuracy are documented on `RLSKernel.learn`.
public struct RLSPredictor: OnlinePredictor {
    public static let kind = "rls"

    public let parameters: RLSParameters
    public private(set) var state: RLSState
    /// u = Px, reused every step so learning does not allocate (not part of the state).
    private var scratch: [Double]
    private let autoregressive: Bool
    private let bias: Bool
    private let inverseLambda: Double

    public init(parameters: RLSParameters) {
        self.parameters = parameters
        state = RLSState(parameters: parameters)
        scratch = [Double](repeating: 0, count: parameters.featureCount)
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

    /// Explicit features: e = y − Wᵀx, learn (x, y), publish the refit Wᵀx at the same x.
    private mutating func absorbLabelled(x: [Double], y: [Double], into prediction: inout Prediction) {
        Self.prepare(&prediction, outputs: parameters.outputs)
        let s = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                Self.step(
                    covariance: &state.covariance, weights: &state.weights, scratch: &scratch,
                    squares: &state.innovationSquares, weight: &state.innovationWeight, error: &prediction.error,
                    p: parameters.featureCount, q: parameters.outputs, lambda: parameters.lambda,
                    inverseLambda: inverseLambda,
                    x: xb.baseAddress!, m: xb.count, bias: false, y: yb.baseAddress!, learn: true)
            }
        }
        state.learnedPairs += 1
        state.count += 1
        prediction.count = state.count
        // Updated leverage xᵀP_new x = s/(λ + s) exactly (P_new x = k): O(1) instead of another O(p²) pass.
        let leverage = s / (parameters.lambda + s)
        x.withUnsafeBufferPointer { xb in
            publish(x: xb.baseAddress!, m: xb.count, bias: false, leverage: leverage, into: &prediction)
        }
    }

    /// Autoregressive: e = y − Wᵀx_t (zero-padded lags during warm-up), learn once the window is full,
    /// push y, publish Wᵀx_{t+1}.
    private mutating func absorbSeries(_ y: [Double], into prediction: inout Prediction) {
        Self.prepare(&prediction, outputs: parameters.outputs)
        let learn = state.history.isFull
        state.history.values.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                Self.step(
                    covariance: &state.covariance, weights: &state.weights, scratch: &scratch,
                    squares: &state.innovationSquares, weight: &state.innovationWeight, error: &prediction.error,
                    p: parameters.featureCount, q: parameters.outputs, lambda: parameters.lambda,
                    inverseLambda: inverseLambda,
                    x: xb.baseAddress!, m: xb.count, bias: bias, y: yb.baseAddress!, learn: learn)
            }
        }
        if learn { state.learnedPairs += 1 }
        state.history.push(y)
        state.count += 1
        prediction.count = state.count
        state.history.values.withUnsafeBufferPointer { xb in
            publish(x: xb.baseAddress!, m: xb.count, bias: bias, into: &prediction)
        }
    }

    /// Writes the prior innovation into `error` and, if `learn`, performs the RLS update and the σ̂² statistics;
    /// returns xᵀPx before the update (0 if not learning).
    @inline(__always)
    @discardableResult
    private static func step(
        covariance: inout [Double], weights: inout [Double], scratch: inout [Double],
        squares: inout [Double], weight: inout Double, error: inout [Double],
        p: Int, q: Int, lambda: Double, inverseLambda: Double,
        x: UnsafePointer<Double>, m: Int, bias: Bool, y: UnsafePointer<Double>, learn: Bool
    ) -> Double {
        return error.withUnsafeMutableBufferPointer { eb in
            let e = eb.baseAddress!
            let s = weights.withUnsafeMutableBufferPointer { wb in
                RLSKernel.mean(weights: wb.baseAddress!, q: q, x: x, m: m, bias: bias, into: e)
                var j = 0
                while j < q { e[j] = y[j] - e[j]; j &+= 1 }
                guard learn else { return 0.0 }
                return covariance.withUnsafeMutableBufferPointer { pb in
                    scratch.withUnsafeMutableBufferPointer { ub in
                        RLSKernel.learn(
                            covariance: pb.baseAddress!, weights: wb.baseAddress!, p: p, q: q,
                            x: x, m: m, bias: bias, innovation: e,
                            scratch: ub.baseAddress!, lambda: lambda, inverseLambda: inverseLambda)
                    }
                }
            }
            guard learn else { return s }
            squares.withUnsafeMutableBufferPointer { sb in
                var j = 0
                while j < q { sb[j] = lambda * sb[j] + e[j] * e[j]; j &+= 1 }
            }
            weight = lambda * weight + 1
            return s
        }
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
            state.history.values.withUnsafeBufferPointer { xb in
                publish(x: xb.baseAddress!, m: xb.count, bias: bias, into: &prediction)
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
        let p = parameters.featureCount, q = parameters.outputs
        prediction.mean.withUnsafeMutableBufferPointer { mb in
            state.weights.withUnsafeBufferPointer { wb in
                RLSKernel.mean(weights: wb.baseAddress!, q: q, x: x, m: m, bias: bias, into: mb.baseAddress!)
            }
        }
        let learned = state.learnedPairs > 0
        let leverage = !learned ? 0 : known ?? state.covariance.withUnsafeBufferPointer { pb in
                RLSKernel.quadraticForm(covariance: pb.baseAddress!, p: p, x: x, m: m, bias: bias)
            }
        let weight = state.innovationWeight
        prediction.variance.withUnsafeMutableBufferPointer { vb in
            state.innovationSquares.withUnsafeBufferPointer { sb in
                var j = 0
                while j < q { vb[j] = learned ? (sb[j] / weight) * (1 + leverage) : .nan; j &+= 1 }
            }
        }
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
