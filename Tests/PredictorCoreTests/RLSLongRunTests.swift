import Testing
@testable import PredictorCore

/// A million forgetting RLS steps on nearly collinear features stay on the batch solution with P symmetric and SPD.
@Suite struct RLSLongRunTests {
    @Test func millionStepsNearlyCollinearMatchPeriodicBatchSolve() throws {
        // δ small enough that the weakly excited direction's P (≈ 6·10³) stays under the prior bound 1/δ, where
        // the recursion is the exact weighted ridge solution (RLSKernel.learn).
        let lambda = 0.999, delta = 1e-5, p = 4, q = 2
        let params = try RLSParameters(layout: .explicit(dimension: p), outputs: q, lambda: lambda, delta: delta)
        var model = RLSPredictor(parameters: params)
        var batch = BatchRidgeSolver(p: p, q: q, lambda: lambda)
        var rng = RLSTestRandom(seed: 2024)
        var prediction = Prediction()
        var x = [Double](repeating: 0, count: p), y = [Double](repeating: 0, count: q)
        var worstW = 0.0, worstAsymmetry = 0.0
        for step in 1...1_000_000 {
            let x1 = rng.symmetric()
            x[0] = x1
            x[1] = x1 + 1e-3 * rng.symmetric()  // nearly collinear with x[0]
            x[2] = rng.symmetric()
            x[3] = 1
            y[0] = 2 * x[0] - x[1] + 0.5 * x[2] + 0.3 + 0.1 * rng.symmetric()
            y[1] = -x[0] + 3 * x[1] + 0.01 * rng.symmetric()
            try model.observe(.labelled(x: x, y: y), into: &prediction)
            batch.add(x: x, y: y)
            guard step % 100_000 == 0 else { continue }

            let w = try #require(batch.solve(delta: delta, prior: [Double](repeating: 0, count: p * q)))
            let err = BatchRidgeAlgebra.relativeError(model.state.weights, w)
            worstW = max(worstW, err)
            #expect(err < 1e-6, "step \(step): W rel error \(err)")
            let cov = model.state.covariance
            var scale = 0.0
            for v in cov { scale = max(scale, abs(v)) }
            for i in 0..<p {
                for j in 0..<p { worstAsymmetry = max(worstAsymmetry, abs(cov[i * p + j] - cov[j * p + i]) / scale) }
            }
            #expect(BatchRidgeAlgebra.cholesky(cov, n: p) != nil, "step \(step): P is not positive definite")
        }
        #expect(worstAsymmetry <= 1e-12)
        print("RLS long run: worst W rel error vs batch \(worstW), worst P asymmetry \(worstAsymmetry)")
    }
}
