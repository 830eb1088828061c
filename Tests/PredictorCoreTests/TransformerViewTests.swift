import Testing
@testable import PredictorCore

/// The transformer view: the linear-attention layer of an `rls` context reproduces its fitted values, and the
/// controls of a `dual` context reproduce its estimate.
@Suite struct TransformerViewTests {
    @Test(arguments: [1.0, 0.97])
    func rlsLayerReproducesTheFit(lambda: Double) throws {
        let p = 3, q = 2
        let prior = [0.5, -1, 0.25, 0, 1, 2]
        let params = try RLSParameters(layout: .explicit(dimension: p), outputs: q, lambda: lambda, delta: 0.5, priorMean: prior)
        var model = RLSPredictor(parameters: params)
        var rng = SoftmaxTestRNG(seed: 21)
        var rows: [(x: [Double], y: [Double])] = []
        var prediction = Prediction()
        for _ in 0..<40 {
            let x = rng.vector(p, in: -2...2)
            let y = [x[0] - 2 * x[1] + 0.1 * Double.random(in: -1...1, using: &rng), x[2] + 0.3]
            try model.observe(.labelled(x: x, y: y), into: &prediction)
            rows.append((x, y))
        }
        let view = RLSTransformerView(parameters: params, state: model.state)
        // L Lᵀ = P.
        let P = model.state.covariance
        for i in 0..<p {
            for j in 0..<p {
                let llt = (0..<p).map { view.projection[i * p + $0] * view.projection[j * p + $0] }.reduce(0, +)
                #expect(abs(llt - P[i * p + j]) <= 1e-12 * max(1, abs(P[i * p + j])), "L Lᵀ[\(i),\(j)]")
            }
        }
        // A forward pass over the context's own rows gives its fitted values Wᵀxᵢ.
        let W = model.state.weights
        for (i, row) in rows.enumerated() {
            let out = view.forward(query: row.x, rows: rows)
            for c in 0..<q {
                let fitted = (0..<p).map { W[$0 * q + c] * row.x[$0] }.reduce(0, +)
                #expect(abs(out[c] - fitted) <= 1e-9 * max(1, abs(fitted)), "row \(i) output \(c): \(out[c]) vs \(fitted)")
            }
        }
    }

    @Test func eigenDecompositionIsOrthonormalAndExact() {
        let s = [4.0, 1, 0.5, 1, 3, -0.2, 0.5, -0.2, 1]
        let e = SymmetricEigen(s, size: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                let vtv = (0..<3).map { e.vectors[$0 * 3 + i] * e.vectors[$0 * 3 + j] }.reduce(0, +)
                #expect(abs(vtv - (i == j ? 1 : 0)) <= 1e-14)
                let back = (0..<3).map { e.vectors[i * 3 + $0] * e.values[$0] * e.vectors[j * 3 + $0] }.reduce(0, +)
                #expect(abs(back - s[i * 3 + j]) <= 1e-13)
            }
        }
        // Trace and determinant are the sum and the product of the eigenvalues.
        #expect(abs(e.values.reduce(0, +) - 8) <= 1e-13)
        let det = 4 * (3 - 0.04) - 1 * (1 + 0.1) + 0.5 * (-0.2 - 1.5)
        #expect(abs(e.values.reduce(1, *) - det) <= 1e-12)
    }

    @Test(arguments: [2, 4, 16])
    func dualControlsReproduceTheEstimate(window: Int) throws {
        let hmm = try HMMParameters(states: 3, symbols: 2, transition: [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.2, 0.7],
                                    emission: [0.9, 0.1, 0.5, 0.5, 0.2, 0.8], initial: [0.5, 0.3, 0.2])
        var filter = DualFilter(parameters: try DualFilterParameters(hmm: hmm, window: window))
        var prediction = Prediction()
        #expect(filter.controls == nil)
        for (t, z) in [0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1].enumerated() {
            try filter.observe(.symbol(z), into: &prediction)
            guard let view = filter.controls else { Issue.record("no controls at t \(t)"); continue }
            #expect(view.controls.count == (t + 1 < window ? t + 1 : window - 1))
            for x in 0..<3 { #expect(abs(view.estimate[x] - filter.measure[x]) <= 1e-12, "t \(t) state \(x)") }
            // The controls are not trivial: they carry the correction from the prior measure to the estimate.
            #expect(view.controls.contains { $0.contains { abs($0) > 1e-6 } })
        }
    }
}
