import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordState
import Testing

@Suite("Checkpoint learned slow memory")
struct CheckpointLearningTests {
    @Test("learned RLS priors and contribution flags survive a checkpoint; new streams after restore start from them")
    func learnedPriorRoundTrips() throws {
        let spec = ModelSpec.rls(try RLSParameters(layout: .explicit(dimension: 2), outputs: 1, lambda: 1, delta: 1))
        let models = [ModelDefinition(name: "pop", match: "", spec: spec, learning: LearningOptions(enabled: true, minimumPairs: 4))]
        var engine = PredictionEngine(models: models)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for s in 0..<5 {
            for t in 0..<(s == 4 ? 2 : 6) {
                let x = [Double(t % 3) + 1, Double(s) - Double(t)]
                try engine.process(stream: "s\(s)", message: InboundMessage(body: .observation(.labelled(x: x, y: [3 * x[0] - x[1]])), encoding: .json), now: 0, into: &out)
            }
        }
        #expect(engine.learning.priors["pop"]?.contributions == 4)
        let bytes = CheckpointCodec.encode(engine.checkpoint(createdAt: 1))
        var fresh = PredictionEngine(models: models)
        let report = fresh.restore(from: try CheckpointCodec.decode(bytes))
        #expect(report.restored == 5)
        #expect(fresh.learning.priors == engine.learning.priors)
        for (stream, context) in engine.contexts { #expect(fresh.contexts[stream]?.contributed == context.contributed) }
        var a = out, b = out
        for engineCopy in [0, 1] {
            let query = InboundMessage(body: .query(x: [1, 1]), encoding: .json)
            if engineCopy == 0 { try engine.process(stream: "new", message: query, now: 0, into: &a) }
            else { try fresh.process(stream: "new", message: query, now: 0, into: &b) }
        }
        #expect(a.prediction.isBitwiseEqual(to: b.prediction))
        // Without `learn`, a checkpoint's learned prior is not applied.
        var unlearned = PredictionEngine(models: [ModelDefinition(name: "pop", match: "", spec: spec)])
        unlearned.restore(from: try CheckpointCodec.decode(bytes))
        #expect(unlearned.learning.priors.isEmpty)
    }
}
