import Testing
import Foundation
@testable import PredictorCore

/// RLS against the independent batch oracle: weighted ridge at every step, OLS in the δ → 0 limit, and the variance.
@Suite struct RLSBatchEquivalenceTests {
    @Test(arguments: [1.0, 0.99])
    func equalsBatchWeightedRidgeAtEveryStep(lambda: Double) throws {
        var rng = RLSTestRandom(seed: lambda == 1 ? 11 : 12)
        for p in 1...16 {
            for q in 1...3 {
                let delta = 0.5 + rng.unit()
                let prior = rng.vector(p * q, scale: 0.5)
                let params = try RLSParameters(
                    layout: .explicit(dimension: p), outputs: q, lambda: lambda, delta: delta, priorMean: prior)
                var model = RLSPredictor(parameters: params)
                var batch = BatchRidgeSolver(p: p, q: q, lambda: lambda)
                let truth = rng.vector(p * q)
                var prediction = Prediction()
                var worstW = 0.0, worstMean = 0.0, worstP = 0.0
                for _ in 0..<(3 * p + 8) {
                    let x = rng.vector(p)
                    var y = [Double](repeating: 0, count: q)
                    for j in 0..<q {
                        for i in 0..<p { y[j] += truth[i * q + j] * x[i] }
                        y[j] += 0.3 * rng.normal()
                    }
                    try model.observe(.labelled(x: x, y: y), into: &prediction)
                    batch.add(x: x, y: y)
                    let w = try #require(batch.solve(delta: delta, prior: prior))
                    worstW = max(worstW, BatchRidgeAlgebra.relativeError(model.state.weights, w))
                    worstP = max(
                        worstP, BatchRidgeAlgebra.relativeError(model.state.covariance, try #require(batch.inverse(delta: delta))))
                    // Published mean is the refit at the same x.
                    var refit = [Double](repeating: 0, count: q)
                    for j in 0..<q { for i in 0..<p { refit[j] += w[i * q + j] * x[i] } }
                    worstMean = max(worstMean, BatchRidgeAlgebra.relativeError(prediction.mean, refit))
                    #expect(prediction.count == batch.pairs)
                }
                #expect(worstW < 1e-9, "p=\(p) q=\(q) λ=\(lambda): W rel error \(worstW)")
                #expect(worstP < 1e-9, "p=\(p) q=\(q) λ=\(lambda): P rel error \(worstP)")
                #expect(worstMean < 1e-9, "p=\(p) q=\(q) λ=\(lambda): mean rel error \(worstMean)")
            }
        }
    }

    @Test func tinyRidgeWithoutForgettingIsOrdinaryLeastSquares() throws {
        var rng = RLSTestRandom(seed: 21)
        for p in 1...8 {
            for q in 1...2 {
                let params = try RLSParameters(layout: .explicit(dimension: p), outputs: q, lambda: 1, delta: 1e-8)
                var model = RLSPredictor(parameters: params)
                var xs: [Double] = [], ys: [Double] = []
                var prediction = Prediction()
                let truth = rng.vector(p * q)
                for n in 1...(4 * p + 4) {
                    let x = rng.vector(p, scale: 2)
                    var y = [Double](repeating: 0, count: q)
                    for j in 0..<q {
                        for i in 0..<p { y[j] += truth[i * q + j] * x[i] }
                        y[j] += rng.normal()
                    }
                    try model.observe(.labelled(x: x, y: y), into: &prediction)
                    xs += x
                    ys += y
                    guard n >= 2 * p else { continue }
                    let ols = BatchRidgeAlgebra.leastSquares(x: xs, y: ys, rows: n, p: p, q: q)
                    let err = BatchRidgeAlgebra.relativeError(model.state.weights, ols)
                    #expect(err < 1e-6, "p=\(p) q=\(q) n=\(n): rel error to OLS \(err)")
                }
            }
        }
    }

    @Test(arguments: [1.0, 0.97])
    func varianceIsTheNormalInverseGammaPosteriorPredictive(lambda: Double) throws {
        var rng = RLSTestRandom(seed: 31)
        let p = 5, q = 2, delta = 2.0
        let prior = rng.vector(p * q)
        let params = try RLSParameters(
            layout: .explicit(dimension: p), outputs: q, lambda: lambda, delta: delta, priorMean: prior)
        var model = RLSPredictor(parameters: params)
        var batch = BatchRidgeSolver(p: p, q: q, lambda: lambda)
        var xs: [[Double]] = [], ys: [[Double]] = [], weight = 0.0
        var prediction = Prediction()
        model.currentPrediction(into: &prediction)
        #expect(prediction.variance.allSatisfy { $0.isNaN })
        for _ in 0..<40 {
            let x = rng.vector(p)
            let y = (0..<q).map { j in x[j] * 1.5 - x[j + 1] + 0.5 * rng.normal() }
            // Prior innovation from the batch solution on the pairs seen so far (W₀ = w₀).
            let before = batch.pairs == 0 ? prior : try #require(batch.solve(delta: delta, prior: prior))
            var innovation = y
            for j in 0..<q { for i in 0..<p { innovation[j] -= before[i * q + j] * x[i] } }
            try model.observe(.labelled(x: x, y: y), into: &prediction)
            #expect(BatchRidgeAlgebra.relativeError(prediction.error, innovation) < 1e-9)
            batch.add(x: x, y: y)
            xs.append(x); ys.append(y)
            weight = lambda * weight + 1

            // Normal–inverse-gamma posterior from the batch fit: J = Σ λ^{n−i}‖y_i − Wᵀx_i‖² + λⁿδ‖W − w₀‖² per
            // output, ν = Σ λ^{n−i} − p, Student-t variance J/(ν − 2)·(1 + xᵀPx) (none until ν > 2).
            let w = try #require(batch.solve(delta: delta, prior: prior))
            let n = xs.count
            var squares = [Double](repeating: 0, count: q)
            for (i, (xi, yi)) in zip(xs, ys).enumerated() {
                for j in 0..<q {
                    let r = yi[j] - (0..<p).reduce(0.0) { $0 + w[$1 * q + j] * xi[$1] }
                    squares[j] += pow(lambda, Double(n - 1 - i)) * r * r
                }
            }
            for j in 0..<q { for i in 0..<p { let d = w[i * q + j] - prior[i * q + j]; squares[j] += pow(lambda, Double(n)) * delta * d * d } }
            let nu = weight - Double(p)
            let pInverse = try #require(batch.inverse(delta: delta))
            let query = rng.vector(p)
            var leverage = 0.0
            for i in 0..<p { for k in 0..<p { leverage += query[i] * pInverse[i * p + k] * query[k] } }
            var queried = Prediction()
            try model.predict(query: query, into: &queried)
            if nu > 2 {
                let expected = (0..<q).map { j in squares[j] / (nu - 2) * (1 + leverage) }
                #expect(BatchRidgeAlgebra.relativeError(queried.variance, expected) < 1e-9)
                #expect(abs(queried.dof - nu) < 1e-12 * nu)
            } else {
                #expect(queried.variance.allSatisfy { $0.isNaN })
            }
            let mean = (0..<q).map { j in (0..<p).reduce(0.0) { $0 + w[$1 * q + j] * query[$1] } }
            #expect(BatchRidgeAlgebra.relativeError(queried.mean, mean) < 1e-9)
            #expect(queried.error.allSatisfy { $0.isNaN })
            #expect(queried.count == batch.pairs && queried.kind == .real && queried.probabilities.isEmpty)
            #expect(queried.surprise.isNaN)
        }
    }

    @Test func queryAtObservedFeaturesMatchesPublishedPrediction() throws {
        var rng = RLSTestRandom(seed: 41)
        let params = try RLSParameters(layout: .explicit(dimension: 4), outputs: 1, lambda: 0.995, delta: 1)
        var model = RLSPredictor(parameters: params)
        var published = Prediction(), queried = Prediction()
        for _ in 0..<50 {
            let x = rng.vector(4)
            try model.observe(.labelled(x: x, y: [rng.normal()]), into: &published)
            try model.predict(query: x, into: &queried)
            #expect(queried.mean[0].bitPattern == published.mean[0].bitPattern)
            // The published variance uses the exact identity xᵀP_new x = s/(λ + s); the query computes xᵀPx.
            #expect(queried.variance[0].isNaN == published.variance[0].isNaN)
            if published.variance[0].isFinite {
                #expect(abs(queried.variance[0] - published.variance[0]) <= 1e-12 * published.variance[0])
            }
        }
    }
}
