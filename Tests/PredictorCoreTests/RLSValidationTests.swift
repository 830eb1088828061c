import Testing
@testable import PredictorCore

/// Rejected `rls` parameters name their configuration key; rejected observations leave the state unchanged.
@Suite struct RLSValidationTests {
    static func rejection(_ make: () throws(ParameterError) -> RLSParameters) -> ParameterError? {
        do {
            _ = try make()
            return nil
        } catch {
            return error
        }
    }

    @Test func badParametersNameTheKey() {
        let layout = FeatureLayout.explicit(dimension: 2)
        let cases: [(String, () throws(ParameterError) -> RLSParameters)] = [
            ("lambda", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: 0, delta: 1) }),
            ("lambda", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: 1.5, delta: 1) }),
            ("lambda", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: .nan, delta: 1) }),
            ("lambda", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: -0.5, delta: 1) }),
            ("delta", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: 0) }),
            ("delta", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: -1) }),
            ("delta", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: .nan) }),
            ("delta", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: .infinity) }),
            ("delta", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: .leastNonzeroMagnitude) }),
            ("outputs", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 0, lambda: 1, delta: 1) }),
            ("outputs", { () throws(ParameterError) in try RLSParameters(layout: layout, outputs: 5000, lambda: 1, delta: 1) }),
            ("prior_mean", { () throws(ParameterError) in
                try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: 1, priorMean: [1, 2, 3]) }),
            ("prior_mean", { () throws(ParameterError) in
                try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: 1, priorMean: [1, .nan]) }),
            ("lags", { () throws(ParameterError) in
                try RLSParameters(layout: .autoregressive(lags: 0, bias: true), outputs: 1, lambda: 1, delta: 1) }),
            ("lags", { () throws(ParameterError) in
                try RLSParameters(layout: .autoregressive(lags: 3000, bias: true), outputs: 2, lambda: 1, delta: 1) }),
            ("dimension", { () throws(ParameterError) in
                try RLSParameters(layout: .explicit(dimension: 0), outputs: 1, lambda: 1, delta: 1) }),
            ("dimension", { () throws(ParameterError) in
                try RLSParameters(layout: .explicit(dimension: 5000), outputs: 1, lambda: 1, delta: 1) }),
        ]
        for (key, make) in cases {
            let error = Self.rejection(make)
            #expect(error?.parameter == key, "expected '\(key)' to be rejected, got \(String(describing: error))")
            #expect(error?.description.hasPrefix("invalid parameter '\(key)'") == true)
        }
        #expect(Self.rejection { () throws(ParameterError) in
            try RLSParameters(layout: layout, outputs: 1, lambda: .nan, delta: 1)
        }?.description == "invalid parameter 'lambda': must be in (0, 1], got nan")
        #expect(Self.rejection { () throws(ParameterError) in
            try RLSParameters(layout: layout, outputs: 1, lambda: 1, delta: 1e-12, priorMean: [0.5, -2])
        } == nil)
    }

    @Test func badObservationsAreRejectedAndLeaveStateUnchanged() throws {
        var rng = RLSTestRandom(seed: 5)
        let explicit = try RLSParameters(layout: .explicit(dimension: 3), outputs: 2, lambda: 0.99, delta: 1)
        var model = RLSPredictor(parameters: explicit)
        var prediction = Prediction()
        for _ in 0..<10 { try model.observe(.labelled(x: rng.vector(3), y: rng.vector(2)), into: &prediction) }
        let before = model.state
        let bad: [(Observation, ObservationError)] = [
            (.labelled(x: [1, .nan, 0], y: [1, 2]), .nonFinite(field: "x")),
            (.labelled(x: [1, 2, 3], y: [.infinity, 2]), .nonFinite(field: "y")),
            (.labelled(x: [1, 2], y: [1, 2]), .wrongDimension(field: "x", expected: 3, got: 2)),
            (.labelled(x: [1, 2, 3], y: [1]), .wrongDimension(field: "y", expected: 2, got: 1)),
            (.series([1, 2]), .wrongKind(model: "rls", expected: "labelled", got: "series")),
            (.symbol(1), .wrongKind(model: "rls", expected: "labelled", got: "symbol")),
        ]
        for (observation, expected) in bad {
            #expect(throws: expected) { try model.observe(observation, into: &prediction) }
            #expect(model.state == before)
        }
        #expect(throws: ObservationError.nonFinite(field: "x")) { try model.predict(query: [0, .nan, 1], into: &prediction) }
        #expect(throws: ObservationError.wrongDimension(field: "x", expected: 3, got: 4)) {
            try model.predict(query: [0, 0, 0, 1], into: &prediction)
        }

        let lagged = try RLSParameters(layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: 1, delta: 1)
        var ar = RLSPredictor(parameters: lagged)
        for v in [0.5, 1, 1.5, 2] { try ar.observe(.series([v]), into: &prediction) }
        let arBefore = ar.state
        let arBad: [(Observation, ObservationError)] = [
            (.series([.nan]), .nonFinite(field: "y")),
            (.series([1, 2]), .wrongDimension(field: "y", expected: 1, got: 2)),
            (.labelled(x: [1, 2, 1], y: [1]), .wrongKind(model: "rls", expected: "series", got: "labelled")),
            (.symbol(0), .wrongKind(model: "rls", expected: "series", got: "symbol")),
        ]
        for (observation, expected) in arBad {
            #expect(throws: expected) { try ar.observe(observation, into: &prediction) }
            #expect(ar.state == arBefore)
        }
    }

    @Test func explicitCurrentPredictionIsNaNAndResetRestoresPrior() throws {
        let params = try RLSParameters(
            layout: .explicit(dimension: 2), outputs: 1, lambda: 1, delta: 4, priorMean: [1, -1])
        var model = RLSPredictor(parameters: params)
        var prediction = Prediction(kind: .symbol, probabilities: [0.5, 0.5], surprise: 1)
        model.currentPrediction(into: &prediction)
        #expect(prediction.kind == .real && prediction.probabilities.isEmpty && prediction.surprise.isNaN)
        #expect(prediction.mean.count == 1 && prediction.mean[0].isNaN && prediction.variance[0].isNaN)
        try model.observe(.labelled(x: [1, 2], y: [3]), into: &prediction)
        #expect(prediction.error == [4])  // y − w₀ᵀx = 3 − (1 − 2)
        model.reset()
        #expect(model.state == RLSState(parameters: params))
        #expect(model.state.covariance == [0.25, 0, 0, 0.25])
        #expect(model.state.weights == [1, -1])
    }
}
