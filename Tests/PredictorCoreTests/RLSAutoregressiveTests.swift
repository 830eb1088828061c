import Testing
@testable import PredictorCore

/// Autoregressive `rls`: predictions equal a batch ridge fit on explicitly built lag vectors (newest lag first, bias).
@Suite struct RLSAutoregressiveTests {
    /// Lag vector (z_{t−1}, …, z_{t−lags}, 1?) from `series[0..<t]`, zero-padded before the start.
    static func lagVector(_ series: [[Double]], upTo t: Int, lags: Int, q: Int, bias: Bool) -> [Double] {
        var x: [Double] = []
        for l in 1...lags {
            let index = t - l
            x += index >= 0 ? series[index] : [Double](repeating: 0, count: q)
        }
        if bias { x.append(1) }
        return x
    }

    @Test(arguments: [(1, 3, true, 1.0), (2, 2, true, 0.98), (1, 2, false, 0.99), (2, 1, true, 1.0)])
    func predictionsEqualBatchFitOnLagVectors(q: Int, lags: Int, bias: Bool, lambda: Double) throws {
        var rng = RLSTestRandom(seed: UInt64(100 + q * 10 + lags))
        let delta = 0.7
        let p = lags * q + (bias ? 1 : 0)
        let prior = rng.vector(p * q, scale: 0.1)
        let params = try RLSParameters(
            layout: .autoregressive(lags: lags, bias: bias), outputs: q, lambda: lambda, delta: delta, priorMean: prior)
        #expect(params.featureCount == p)
        var model = RLSPredictor(parameters: params)
        var batch = BatchRidgeSolver(p: p, q: q, lambda: lambda)
        var series: [[Double]] = []
        var prediction = Prediction()
        var previousMean = [Double]()
        model.currentPrediction(into: &prediction)
        previousMean = prediction.mean
        for t in 0..<60 {
            // A stable VAR(1)-like process with an offset, plus noise.
            let last = series.last ?? [Double](repeating: 0, count: q)
            let z = (0..<q).map { j in 0.6 * last[j] - 0.2 * last[(j + 1) % q] + 0.3 + 0.4 * rng.normal() }
            try model.observe(.series(z), into: &prediction)
            // The error is the innovation against exactly the previously published mean.
            for j in 0..<q { #expect(prediction.error[j].bitPattern == (z[j] - previousMean[j]).bitPattern) }
            if t >= lags { batch.add(x: Self.lagVector(series, upTo: t, lags: lags, q: q, bias: bias), y: z) }
            series.append(z)
            #expect(prediction.count == t + 1)
            #expect(model.state.learnedPairs == batch.pairs)

            let w = batch.pairs == 0 ? prior : try #require(batch.solve(delta: delta, prior: prior))
            let next = Self.lagVector(series, upTo: t + 1, lags: lags, q: q, bias: bias)
            let expected = (0..<q).map { j in (0..<p).reduce(0.0) { $0 + w[$1 * q + j] * next[$1] } }
            let err = BatchRidgeAlgebra.relativeError(prediction.mean, expected)
            #expect(err < 1e-9, "t=\(t): mean rel error \(err)")
            // The Student-t variance exists once ν = Σ λ^{n−i} − p exceeds 2.
            let nu = model.state.innovationWeight - Double(p)
            #expect(nu <= 2 ? prediction.variance.allSatisfy { $0.isNaN } : prediction.variance.allSatisfy { $0 > 0 })

            // currentPrediction and a full-feature query agree with what was just published.
            var current = Prediction(), queried = Prediction()
            model.currentPrediction(into: &current)
            #expect(current.mean.map(\.bitPattern) == prediction.mean.map(\.bitPattern))
            #expect(current.variance.map(\.bitPattern) == prediction.variance.map(\.bitPattern))
            #expect(current.error.allSatisfy { $0.isNaN })
            try model.predict(query: next, into: &queried)
            #expect(queried.mean.map(\.bitPattern) == prediction.mean.map(\.bitPattern))
            previousMean = prediction.mean
        }
    }

    @Test func resetForgetsHistoryAndWeights() throws {
        let params = try RLSParameters(
            layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: 1, delta: 1, priorMean: [0.5, 0, 0.1])
        var model = RLSPredictor(parameters: params)
        var prediction = Prediction()
        for v in [1.0, 2, 3, 5, 8] { try model.observe(.series([v]), into: &prediction) }
        #expect(model.state.learnedPairs == 3)
        model.reset()
        #expect(model.state == RLSState(parameters: params))
        model.currentPrediction(into: &prediction)
        #expect(prediction.mean == [0.1])  // w₀ᵀ(0, 0, 1)
        #expect(prediction.count == 0)
    }
}
