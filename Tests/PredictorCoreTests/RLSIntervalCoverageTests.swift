import Testing
@testable import PredictorCore

/// The published 90 % interval is the classical regression prediction interval at λ = 1 (δ → 0), so on data
/// from the model it covers the next observation with probability exactly 0.9 at every n: checked by Monte Carlo
/// within 4 binomial standard errors.
@Suite struct RLSIntervalCoverageTests {
    @Test(arguments: [6, 12, 40])
    func ninetyPercentIntervalCoversNinetyPercent(pairs: Int) throws {
        var rng = RLSTestRandom(seed: UInt64(pairs) &* 7919)
        let p = 3, trials = 4000
        let params = try RLSParameters(layout: .explicit(dimension: p), outputs: 1, lambda: 1, delta: 1e-9)
        var covered = 0, published = 0
        var prediction = Prediction()
        for _ in 0..<trials {
            var model = RLSPredictor(parameters: params)
            let sigma = 0.3 + 2 * abs(rng.normal())
            func draw() -> (x: [Double], y: Double) {
                let x = [1, rng.normal(), 3 * rng.normal()]
                return (x, 2 - x[1] + 0.5 * x[2] + sigma * rng.normal())
            }
            for _ in 0..<pairs { let (x, y) = draw(); try model.observe(.labelled(x: x, y: [y]), into: &prediction) }
            let (x, y) = draw()
            try model.predict(query: x, into: &prediction)
            prediction.fillIntervals(.standard)
            #expect(prediction.dof == Double(pairs - p))
            guard prediction.interval[0].isFinite else { continue }
            published += 1
            if prediction.interval[0] <= y, y <= prediction.interval[1] { covered += 1 }
        }
        #expect(published == trials)
        let coverage = Double(covered) / Double(published)
        let se = (0.9 * 0.1 / Double(published)).squareRoot()
        #expect(abs(coverage - 0.9) < 4 * se, "n=\(pairs): coverage \(coverage)")
    }
}
