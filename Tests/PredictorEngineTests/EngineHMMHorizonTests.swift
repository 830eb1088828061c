import PredictorCore
import PredictorWire
import Testing
@testable import PredictorEngine

/// `horizon: h` on a `forward` model: value(Z) h steps ahead from π Aʲ⁻¹ C, computed here by explicit matrix
/// products of the configured parameters.
@Suite struct EngineHMMHorizonTests {
    @Test func horizonMatchesExplicitMatrixPowers() throws {
        let hmm = EngineHMMLearningTests.truth
        var definition = ModelDefinition(name: "h", match: "", spec: .forward(hmm))
        definition.horizon = 5
        var engine = PredictionEngine(models: [definition])
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var rng = EngineLearningTests.Rng(s: 3)
        let d = hmm.states, m = hmm.symbols, values = hmm.values
        for z in EngineHMMLearningTests.sample(hmm, count: 50, &rng) {
            try engine.process(stream: "s", message: EngineHMMLearningTests.symbol(z), now: 0, into: &out)
            guard case let .forward(box) = engine.contexts["s"]!.predictor else { Issue.record("not forward"); return }
            var state = box.value.state.predictive
            for j in 0..<5 {
                if j > 0 { state = (0..<d).map { y in (0..<d).reduce(0.0) { $0 + state[$1] * hmm.transition[$1 * d + y] } } }
                let probs = (0..<m).map { k in (0..<d).reduce(0.0) { $0 + state[$1] * hmm.emission[$1 * m + k] } }
                let mean = zip(probs, values).reduce(0.0) { $0 + $1.0 * $1.1 }
                let variance = zip(probs, values).reduce(0.0) { $0 + $1.0 * $1.1 * $1.1 } - mean * mean
                #expect(abs(out.prediction.horizonMean[j] - mean) < 1e-12)
                #expect(abs(out.prediction.horizonVariance[j] - variance) < 1e-12)
                if j == 0 { #expect(abs(out.prediction.mean[0] - mean) < 1e-12) }
            }
        }
    }
}
