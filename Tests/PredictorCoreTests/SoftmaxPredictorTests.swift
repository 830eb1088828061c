import Testing
@testable import PredictorCore

@Suite struct SoftmaxPredictorTests {
    static let tolerance = 1e-11

    @Test(arguments: [1, 5, 64], [1, 2])
    func explicitMatchesDirectFormulaAtEveryStep(window: Int, outputs q: Int) throws {
        let p = 3
        let beta = 0.7
        let prior = (0..<q).map { 0.25 * Double($0 + 1) }
        let params = try SoftmaxParameters(layout: .explicit(dimension: p), outputs: q, beta: beta, window: window, priorMean: prior)
        var model = SoftmaxPredictor(parameters: params)
        var reference = SoftmaxReference(beta: beta, window: window, outputs: q, prior: prior)
        var rng = SoftmaxTestRNG(seed: UInt64(97 * window + q))
        var prediction = Prediction()
        for step in 1...(2 * window + 40) {
            let x = rng.vector(p, in: -2...2)
            let y = rng.vector(q, in: -3...3)
            let before = reference.predict(x)
            try model.observe(.labelled(x: x, y: y), into: &prediction)
            reference.store(x: x, y: y)
            let after = reference.predict(x)
            let error = zip(y, before.mean).map { $0 - $1 }
            #expect(prediction.kind == .real && prediction.count == step && prediction.probabilities.isEmpty)
            #expect(prediction.surprise.isNaN)
            #expect(softmaxClose(prediction.error, error, tol: Self.tolerance), "step \(step) error")
            #expect(softmaxClose(prediction.mean, after.mean, tol: Self.tolerance), "step \(step) mean")
            #expect(softmaxClose(prediction.variance, after.variance, tol: Self.tolerance), "step \(step) variance")
            #expect(model.state.fill == min(step, window))
            // The published prediction is the query at the same x (its weights are updated, not recomputed).
            var queried = Prediction()
            try model.predict(query: x, into: &queried)
            #expect(softmaxClose(queried.mean, prediction.mean, tol: 1e-13))
            #expect(softmaxClose(queried.variance, prediction.variance, tol: 1e-13))
            #expect(queried.error.allSatisfy { $0.isNaN })
            let z = rng.vector(p, in: -2...2)
            try model.predict(query: z, into: &queried)
            let expected = reference.predict(z)
            #expect(softmaxClose(queried.mean, expected.mean, tol: Self.tolerance), "step \(step) query mean")
            #expect(softmaxClose(queried.variance, expected.variance, tol: Self.tolerance), "step \(step) query variance")
        }
    }

    @Test(arguments: [1, 5, 64], [1, 2])
    func autoregressiveMatchesDirectFormulaAtEveryStep(window: Int, outputs q: Int) throws {
        let lags = 3
        let beta = 0.9
        let params = try SoftmaxParameters(layout: .autoregressive(lags: lags, bias: true), outputs: q, beta: beta, window: window)
        var model = SoftmaxPredictor(parameters: params)
        var reference = SoftmaxReference(beta: beta, window: window, outputs: q, lags: lags, bias: true)
        var rng = SoftmaxTestRNG(seed: UInt64(31 * window + q))
        var prediction = Prediction()
        var current = Prediction()
        model.currentPrediction(into: &current)
        #expect(current.mean == [Double](repeating: 0, count: q) && current.variance.allSatisfy { $0.isNaN })
        var published = current.mean
        for step in 1...(2 * window + 40) {
            let y = rng.vector(q, in: -1.5...1.5)
            let before = reference.predict(reference.lagFeatures)
            #expect(softmaxClose(before.mean, published, tol: Self.tolerance), "step \(step) published")
            try model.observe(.series(y), into: &prediction)
            reference.observeSeries(y)
            let after = reference.predict(reference.lagFeatures)
            let error = zip(y, before.mean).map { $0 - $1 }
            #expect(prediction.kind == .real && prediction.count == step && prediction.probabilities.isEmpty)
            #expect(softmaxClose(prediction.error, error, tol: Self.tolerance), "step \(step) error")
            #expect(softmaxClose(prediction.mean, after.mean, tol: Self.tolerance), "step \(step) mean")
            #expect(softmaxClose(prediction.variance, after.variance, tol: Self.tolerance), "step \(step) variance")
            #expect(model.state.fill == min(max(step - lags, 0), window))
            // The error is exactly y minus the previously published mean.
            #expect(zip(prediction.error, zip(y, published)).allSatisfy { $0.bitPattern == ($1.0 - $1.1).bitPattern })
            model.currentPrediction(into: &current)
            #expect(current.mean.map(\.bitPattern) == prediction.mean.map(\.bitPattern))
            #expect(current.variance.map(\.bitPattern) == prediction.variance.map(\.bitPattern))
            #expect(current.count == step && current.error.allSatisfy { $0.isNaN })
            published = prediction.mean
        }
    }

    @Test func constantShiftOfAllLogitsLeavesPredictionUnchanged() throws {
        // Every key ends in 1, so the query's last component c adds β·c to every logit.
        let p = 4, q = 2, beta = 1.3
        let params = try SoftmaxParameters(layout: .explicit(dimension: p), outputs: q, beta: beta, window: 32)
        var model = SoftmaxPredictor(parameters: params)
        var rng = SoftmaxTestRNG(seed: 7)
        var prediction = Prediction()
        for _ in 0..<50 {
            try model.observe(.labelled(x: rng.vector(p - 1) + [1], y: rng.vector(q, in: -5...5)), into: &prediction)
        }
        for _ in 0..<10 {
            let base = rng.vector(p - 1)
            var reference = Prediction()
            try model.predict(query: base + [0], into: &reference)
            for shift in [-400.0, -37.25, 1, 123.5, 500] {
                var shifted = Prediction()
                try model.predict(query: base + [shift], into: &shifted)
                #expect(shifted.mean.allSatisfy { $0.isFinite })
                #expect(softmaxClose(shifted.mean, reference.mean, tol: 1e-12), "shift \(shift)")
                #expect(softmaxClose(shifted.variance, reference.variance, tol: 1e-12), "shift \(shift)")
            }
        }
    }

    @Test func hugeLogitsDoNotOverflow() throws {
        // β = 1e4 with unit keys: logits up to 1e4; the mean is the value at the arg-max key.
        let params = try SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 1, beta: 1e4, window: 8)
        var model = SoftmaxPredictor(parameters: params)
        var prediction = Prediction()
        try model.observe(.labelled(x: [0.6, 0.8], y: [5]), into: &prediction)
        try model.observe(.labelled(x: [1, 0], y: [-2]), into: &prediction)
        try model.observe(.labelled(x: [0, 1], y: [9]), into: &prediction)
        try model.predict(query: [1, 0], into: &prediction)
        #expect(prediction.mean == [-2])
        #expect(prediction.variance == [0])
        try model.predict(query: [0, 1], into: &prediction)
        #expect(prediction.mean == [9])
        // A tie between two identical keys: the average of their values.
        try model.observe(.labelled(x: [1, 0], y: [3]), into: &prediction)
        try model.predict(query: [1, 0], into: &prediction)
        #expect(prediction.mean == [0.5])
        #expect(prediction.variance == [6.25])

        // β = 1 with large features: logits of 1e4 and −1e4.
        let wide = try SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 2, beta: 1, window: 4)
        var big = SoftmaxPredictor(parameters: wide)
        try big.observe(.labelled(x: [100, 0], y: [1, 2]), into: &prediction)
        try big.observe(.labelled(x: [-100, 0], y: [3, 4]), into: &prediction)
        try big.observe(.labelled(x: [99, 1], y: [5, 6]), into: &prediction)
        try big.predict(query: [100, 0], into: &prediction)
        #expect(prediction.mean == [1, 2])
        try big.predict(query: [-100, 0], into: &prediction)
        #expect(prediction.mean == [3, 4])
        #expect(prediction.variance == [0, 0])
    }

    @Test func evictingTheMaximumKeyRecomputesTheShift() throws {
        // β = 1e5: before the third pair the evicted key holds the maximum logit (1e4) and every other weight
        // relative to it underflows; the published mean must come from the remaining keys, not 0/0.
        let params = try SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 1, beta: 1e5, window: 2)
        var model = SoftmaxPredictor(parameters: params)
        var prediction = Prediction()
        try model.observe(.labelled(x: [1, 0], y: [5]), into: &prediction)
        try model.observe(.labelled(x: [0.5, 0], y: [7]), into: &prediction)
        try model.observe(.labelled(x: [0.1, 0], y: [9]), into: &prediction)
        #expect(prediction.error == [4])  // before: the key [1, 0] dominates
        #expect(prediction.mean == [7] && prediction.variance == [0])
        // A new key with the largest logit takes all the weight.
        try model.observe(.labelled(x: [0.9, 0], y: [-1]), into: &prediction)
        #expect(prediction.mean == [-1] && prediction.variance == [0])
    }

    @Test func badObservationsAreRejectedAndLeaveStateUnchanged() throws {
        let explicit = try SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 2, beta: 1, window: 3)
        var model = SoftmaxPredictor(parameters: explicit)
        var prediction = Prediction()
        for i in 0..<5 {
            try model.observe(.labelled(x: [Double(i), 1], y: [1, Double(i)]), into: &prediction)
        }
        let bad: [(Observation, ObservationError)] = [
            (.series([1, 2]), .wrongKind(model: "softmax", expected: "labelled", got: "series")),
            (.symbol(1), .wrongKind(model: "softmax", expected: "labelled", got: "symbol")),
            (.labelled(x: [1], y: [1, 2]), .wrongDimension(field: "x", expected: 2, got: 1)),
            (.labelled(x: [1, 2], y: [1]), .wrongDimension(field: "y", expected: 2, got: 1)),
            (.labelled(x: [.nan, 2], y: [1, 2]), .nonFinite(field: "x")),
            (.labelled(x: [1, 2], y: [1, .infinity]), .nonFinite(field: "y")),
        ]
        try expectRejections(bad, model: &model)
        #expect(throws: ObservationError.wrongDimension(field: "x", expected: 2, got: 3)) {
            try model.predict(query: [1, 2, 3], into: &prediction)
        }
        #expect(throws: ObservationError.nonFinite(field: "x")) {
            try model.predict(query: [-.infinity, 2], into: &prediction)
        }

        let series = try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: false), outputs: 1, beta: 1, window: 3)
        var ar = SoftmaxPredictor(parameters: series)
        for i in 0..<6 { try ar.observe(.series([Double(i % 3)]), into: &prediction) }
        try expectRejections([
            (.labelled(x: [1, 2], y: [1]), .wrongKind(model: "softmax", expected: "series", got: "labelled")),
            (.symbol(0), .wrongKind(model: "softmax", expected: "series", got: "symbol")),
            (.series([1, 2]), .wrongDimension(field: "y", expected: 1, got: 2)),
            (.series([.nan]), .nonFinite(field: "y")),
        ], model: &ar)
    }

    /// Each bad observation throws exactly `error`, and afterwards the model behaves bit for bit as an untouched copy.
    private func expectRejections(_ cases: [(Observation, ObservationError)], model: inout SoftmaxPredictor) throws {
        let untouched = model
        var prediction = Prediction()
        for (observation, error) in cases {
            #expect(throws: error) { try model.observe(observation, into: &prediction) }
            #expect(model.state == untouched.state)
        }
        var copy = untouched
        var a = Prediction(), b = Prediction()
        let next: Observation = if case .explicit = model.parameters.layout {
            .labelled(x: [0.5, 1], y: [2, 3])
        } else {
            .series([0.5])
        }
        try model.observe(next, into: &a)
        try copy.observe(next, into: &b)
        #expect(a.isBitwiseEqual(to: b))
    }

    @Test func emptyWindowPredictsThePriorAndResetEmptiesTheWindow() throws {
        let params = try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: true), outputs: 2, beta: 2, window: 4,
                                           priorMean: [1.5, -2])
        var model = SoftmaxPredictor(parameters: params)
        var prediction = Prediction()
        // Until the lags are full no pair is stored: mean = prior, error = y − prior.
        try model.observe(.series([1, 1]), into: &prediction)
        #expect(prediction.mean == [1.5, -2] && prediction.variance.allSatisfy { $0.isNaN })
        #expect(prediction.error == [-0.5, 3])
        try model.observe(.series([2, 2]), into: &prediction)
        try model.observe(.series([3, 3]), into: &prediction)
        #expect(model.state.fill == 1)
        // One pair: the mean is its value whatever the query; variance 0.
        #expect(prediction.mean == [3, 3] && prediction.variance == [0, 0])
        model.reset()
        #expect(model.state == SoftmaxState(parameters: params))
        model.currentPrediction(into: &prediction)
        #expect(prediction.mean == [1.5, -2] && prediction.variance.allSatisfy { $0.isNaN } && prediction.count == 0)
        try model.observe(.series([4, 4]), into: &prediction)
        #expect(prediction.error == [2.5, 6] && prediction.count == 1)

        // Explicit features: the next x is unknown, so the current prediction is NaN.
        let explicit = try SoftmaxParameters(layout: .explicit(dimension: 1), outputs: 1, beta: 1, window: 2)
        var ex = SoftmaxPredictor(parameters: explicit)
        try ex.observe(.labelled(x: [1], y: [2]), into: &prediction)
        ex.currentPrediction(into: &prediction)
        #expect(prediction.mean[0].isNaN && prediction.variance[0].isNaN && prediction.error[0].isNaN)
        #expect(prediction.count == 1)
    }
}
