import PredictorCore
import PredictorWire
import Testing
@testable import PredictorEngine
import PredictordTestSupport

/// `learn: true` on an RLS model: streams sharing a weight vector teach new streams their prior mean.
@Suite struct EngineLearningTests {
    struct Rng {
        var base: SplitMix64
        init(s: UInt64) { base = SplitMix64(seed: s) }
        mutating func next() -> UInt64 { base.next() }
        mutating func normal() -> Double {
            let u = max(Double(next() >> 11) / Double(1 << 53), 1e-300), v = Double(next() >> 11) / Double(1 << 53)
            return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
        }
    }

    static func engine(learn: Bool) throws -> PredictionEngine {
        let spec = ModelSpec.rls(try RLSParameters(layout: .explicit(dimension: 3), outputs: 1, lambda: 1, delta: 1))
        return PredictionEngine(models: [ModelDefinition(
            name: "pop", match: "", spec: spec, learning: LearningOptions(enabled: learn, minimumPairs: 9))])
    }

    @Test func newStreamsStartFromThePopulationPrior() throws {
        var learning = try Self.engine(learn: true), plain = try Self.engine(learn: false)
        var rng = Rng(s: 9)
        let shared = [2.0, -1.0, 0.5]
        var early = (learned: 0.0, plain: 0.0)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for stream in 0..<120 {
            let w = shared.map { $0 + 0.05 * rng.normal() }
            for t in 0..<12 {
                let x = (0..<3).map { _ in rng.normal() }
                let y = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 } + 0.01 * rng.normal()
                let message = InboundMessage(body: .observation(.labelled(x: x, y: [y])), encoding: .json)
                try learning.process(stream: "s\(stream)", message: message, now: 0, into: &out)
                let e1 = out.prediction.error[0]
                try plain.process(stream: "s\(stream)", message: message, now: 0, into: &out)
                let e2 = out.prediction.error[0]
                if stream >= 60, t < 6 { early.learned += e1 * e1; early.plain += e2 * e2 }
            }
        }
        let learner = try #require(learning.learning.priors["pop"])
        #expect(learner.contributions == 120)
        for i in 0..<3 { #expect(abs(learner.mean[i] - shared[i]) < 0.05) }
        #expect(early.learned < 0.1 * early.plain, "early squared error: learned prior \(early.learned), zero prior \(early.plain)")
        #expect(plain.learning.priors.isEmpty)
        // A reset stream restarts from the learned prior, not from zero.
        try learning.process(stream: "s0", message: InboundMessage(body: .reset, encoding: .json), now: 0, into: &out)
        try learning.process(stream: "s0", message: InboundMessage(body: .query(x: [1, 0, 0]), encoding: .json), now: 0, into: &out)
        #expect(abs(out.prediction.mean[0] - learner.mean[0]) < 1e-9)
    }
}
