import PredictorCore
import PredictorWire
import RealModule
import Testing
@testable import PredictorEngine

/// `error` and `surprise` score each observation against the prediction that was published for it, also when
/// `learn: true` switches the context's parameters between the two (issue 10, item 7). The reference is what a
/// subscriber saw: the previous message's published law or mean, kept by this test from the engine's outputs.
@Suite struct EnginePublishedScoringTests {
    /// Symbols of the HMM fixture on streams run interleaved, so one stream's segments publish new parameters
    /// that the others adopt between two of their own observations.
    @Test("HMM surprise = −log of the published law at z, across parameter switches (forward and dual)")
    func hmmSurpriseAgainstPublishedLaw() throws {
        for kind in ["forward", "dual"] {
            let start = try EngineHMMLearningTests.perturbed(EngineHMMLearningTests.truth)
            let spec: ModelSpec = kind == "forward"
                ? .forward(start) : .dual(try DualFilterParameters(hmm: start, window: 8))
            var engine = PredictionEngine(models: [ModelDefinition(
                name: "h", match: "", spec: spec, learning: LearningOptions(enabled: true, segmentLength: 16, refreshInterval: 1))])
            var rng = EngineLearningTests.Rng(s: 31)
            let streams = (0..<4).map { _ in EngineHMMLearningTests.sample(EngineHMMLearningTests.truth, count: 400, &rng) }
            var published: [String: [Double]] = [:]
            var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
            var checked = 0, switched = 0, maxGap = 0.0
            for t in 0..<400 {
                for (id, symbols) in streams.enumerated() {
                    let stream = "s\(id)", z = symbols[t]
                    // The filter's own score under the parameters it is about to adopt: what was published before.
                    var own: Double?
                    if let entry = engine.learning.hmm.contexts[StreamKey(stream)], let learner = engine.learning.hmm.models["h"],
                       entry.publication != learner.publications, var copy = engine.contexts[StreamKey(stream)]?.predictor,
                       copy.switchParameters(to: learner.published) {
                        var prediction = Prediction()
                        try copy.observe(.symbol(z), into: &prediction)
                        own = prediction.surprise
                    }
                    try engine.process(stream: stream, message: InboundMessage(body: .observation(.symbol(z)), encoding: .json), now: 0, into: &out)
                    if let law = published[stream] {
                        let expected = -Double.log(law[z])
                        #expect(out.prediction.surprise.bitPattern == expected.bitPattern,
                                "\(kind) \(stream) t=\(t): surprise \(out.prediction.surprise), published law gives \(expected)")
                        checked += 1
                        if let own {
                            switched += 1
                            maxGap = max(maxGap, abs(own - expected))
                        }
                    }
                    published[stream] = out.prediction.probabilities
                }
            }
            #expect(checked == 4 * 399)
            #expect(switched > 20, "\(kind): the streams adopted new parameters \(switched) times; the test needs switches to bite")
            #expect(maxGap > 1e-3, "\(kind): scoring under the adopted parameters would differ by up to \(maxGap) nats")
        }
    }

    @Test("softmax series error = y − the published mean, across β switches")
    func softmaxErrorAgainstPublishedMean() throws {
        let spec = ModelSpec.softmax(try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: true), outputs: 1, beta: 0.5, window: 24))
        var engine = PredictionEngine(models: [ModelDefinition(
            name: "k", match: "", spec: spec, learning: LearningOptions(enabled: true, refreshInterval: 2, betaRate: 0.2))])
        var rng = EngineLearningTests.Rng(s: 5)
        var published: [String: Double] = [:]
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var checked = 0, switched = 0, maxGap = 0.0
        for t in 0..<300 {
            for id in 0..<3 {
                let stream = "s\(id)"
                let y = Double.sin(0.3 * Double(t) + Double(id)) + 0.2 * rng.normal()
                // The mean under the β the context is about to adopt: what it was scored against before.
                var own: Double?
                if let beta = engine.learning.softmax.models["k"]?.published, var copy = engine.contexts[StreamKey(stream)]?.predictor,
                   case let .softmax(b) = copy, b.value.parameters.beta != beta {
                    copy.adoptSoftmax(beta: beta)
                    var prediction = Prediction()
                    copy.currentPrediction(into: &prediction)
                    own = prediction.mean[0]
                }
                try engine.process(stream: stream, message: InboundMessage(body: .observation(.series([y])), encoding: .json), now: 0, into: &out)
                if let mean = published[stream] {
                    #expect(out.prediction.error[0].bitPattern == (y - mean).bitPattern, "\(stream) t=\(t)")
                    checked += 1
                    if let own {
                        switched += 1
                        maxGap = max(maxGap, abs(own - mean))
                    }
                }
                published[stream] = out.prediction.mean[0]
            }
        }
        #expect(checked == 3 * 299)
        #expect(switched > 20, "β was adopted \(switched) times; the test needs switches to bite")
        #expect(maxGap > 1e-6, "scoring under the adopted β would differ by up to \(maxGap)")
    }
}
