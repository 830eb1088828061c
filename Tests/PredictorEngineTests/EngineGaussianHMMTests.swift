import PredictorCore
import PredictorWire
import RealModule
import Testing
@testable import PredictorEngine

/// Gaussian-emission HMMs through the engine: mixture intervals, the impossible-value drop, checkpointed state.
@Suite struct EngineGaussianHMMTests {
    static let hmm = try! GaussianHMMParameters(transition: [0.95, 0.05, 0.1, 0.9], initial: [0.5, 0.5],
                                                means: [0, 1], variances: [0.25, 4])

    /// P(Y ≤ y) of Σ wₓ N(mₓ, vₓ), written from the normal CDF Φ(z) = erfc(−z/√2)/2.
    static func cdf(_ y: Double, weights w: [Double]) -> Double {
        (0..<2).map { x in w[x] * 0.5 * Double.erfc(-(y - hmm.means[x]) / (2 * hmm.variances[x]).squareRoot()) }.reduce(0, +)
    }

    @Test(arguments: ["forward", "dual"])
    func intervalsAreTheMixtureQuantiles(kind: String) throws {
        let spec: ModelSpec = kind == "forward"
            ? .gaussianForward(Self.hmm) : .gaussianDual(try GaussianDualFilterParameters(hmm: Self.hmm, window: 8))
        let levels = try IntervalLevels([0.8, 0.9])
        var engine = PredictionEngine(models: [ModelDefinition(name: "g", match: "g/", spec: spec, intervals: levels)])
        var reference = GaussianForwardFilter(parameters: Self.hmm)
        var p = Prediction()
        for t in 0..<60 {
            let y = t % 20 < 10 ? 0.1 * Double(t % 3) : 3 * Double.sin(Double(t))
            let out = try PredictionEngineTests.run(&engine, "g/1", PredictionEngineTests.series(y)).get()
            try reference.observe(.series([y]), into: &p)
            #expect(out.kind == .real && out.dof.isNaN && out.intervalLevels == levels.levels)
            let w = reference.state.predictive
            for (l, level) in levels.levels.enumerated() {
                let (lo, hi) = (out.interval[2 * l], out.interval[2 * l + 1])
                #expect(abs(Self.cdf(lo, weights: w) - (1 - level) / 2) <= 1e-12, "t \(t) level \(level) lower \(lo)")
                #expect(abs(Self.cdf(hi, weights: w) - (1 + level) / 2) <= 1e-12, "t \(t) level \(level) upper \(hi)")
            }
            #expect(abs(out.mean[0] - p.mean[0]) <= 1e-12 && abs(out.surprise - p.surprise) <= 1e-12)
        }
        // A value with no representable density: dropped with its own reason, the stream unchanged.
        let before = try PredictionEngineTests.run(&engine, "g/2", PredictionEngineTests.series(0.5)).get()
        guard case let .failure(drop) = PredictionEngineTests.run(&engine, "g/2", PredictionEngineTests.series(1e200)) else {
            Issue.record("1e200 was accepted"); return
        }
        #expect(drop.reason == "impossible_value" && drop.message.contains("means"))
        #expect(engine.counters.drops["impossible_value"] == 1)
        var clean = PredictionEngine(models: [ModelDefinition(name: "g", match: "g/", spec: spec, intervals: levels)])
        _ = PredictionEngineTests.run(&clean, "g/2", PredictionEngineTests.series(0.5))
        let a = try PredictionEngineTests.run(&engine, "g/2", PredictionEngineTests.series(0.7)).get()
        let b = try PredictionEngineTests.run(&clean, "g/2", PredictionEngineTests.series(0.7)).get()
        #expect(a.isBitwiseEqual(to: b) && !before.mean.isEmpty)
    }

    @Test func specAndStateRoundTrip() throws {
        for spec: ModelSpec in [.gaussianForward(Self.hmm), .gaussianDual(try GaussianDualFilterParameters(hmm: Self.hmm, window: 3))] {
            var reader = ByteReader(spec.encodedBytes)
            #expect(try ModelSpec(from: &reader) == spec && reader.isAtEnd)
            var predictor = spec.makePredictor()
            var p = Prediction(), q = Prediction()
            for y in [0.1, 2.5, -1, 0.3] { try predictor.observe(.series([y]), into: &p) }
            var restored = try spec.restorePredictor(state: predictor.encodedState())
            try predictor.observe(.series([0.9]), into: &p)
            try restored.observe(.series([0.9]), into: &q)
            #expect(p.isBitwiseEqual(to: q), "\(spec.kind)")
        }
    }
}
