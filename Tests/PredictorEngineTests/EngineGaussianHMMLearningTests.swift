import PredictorCore
import PredictorWire
import RealModule
import Testing
@testable import PredictorEngine

/// `learn: true` on Gaussian-emission `forward` and `dual` models: values drawn from a known 3-state Gaussian HMM
/// teach the engine A, μ, means and variances by online EM across streams, checked against a batch Baum–Welch
/// written in the tests (``GaussianBaumWelch``) on the same data from the same start.
@Suite struct EngineGaussianHMMLearningTests {
    static let truth = GaussianBaumWelch(
        transition: [[0.92, 0.05, 0.03], [0.04, 0.92, 0.04], [0.05, 0.05, 0.90]], initial: [0.5, 0.3, 0.2],
        means: [-2, 0.5, 3], variances: [0.6, 1.0, 0.8])
    /// Rows half uniform, means pulled together, every variance 1.5.
    static let start = GaussianBaumWelch(
        transition: truth.transition.map { $0.map { 0.5 * $0 + 0.5 / 3 } }, initial: [1.0 / 3, 1.0 / 3, 1.0 / 3],
        means: [-1, 0.8, 2], variances: [1.5, 1.5, 1.5])

    static func parameters(_ h: GaussianBaumWelch) throws -> GaussianHMMParameters {
        try GaussianHMMParameters(transition: h.transition.flatMap { $0 }, initial: h.initial, means: h.means, variances: h.variances)
    }

    static func reference(_ p: GaussianHMMParameters) -> GaussianBaumWelch {
        let d = p.states
        return GaussianBaumWelch(transition: (0..<d).map { Array(p.transition[($0 * d)..<($0 * d + d)]) }, initial: p.initial,
                                 means: p.means, variances: p.variances)
    }

    /// y_0..y_{T−1} sampled from the HMM.
    static func sample(_ h: GaussianBaumWelch, count: Int, _ rng: inout EngineLearningTests.Rng) -> [Double] {
        func draw(_ p: [Double]) -> Int {
            var u = Double(rng.next() >> 11) * 0x1p-53
            for (i, v) in p.enumerated() { u -= v; if u < 0 { return i } }
            return p.count - 1
        }
        var x = draw(h.initial)
        return (0..<count).map { _ in
            let y = h.means[x] + h.variances[x].squareRoot() * rng.normal()
            x = draw(h.transition[x])
            return y
        }
    }

    static func spec(_ kind: String, _ p: GaussianHMMParameters) throws -> ModelSpec {
        kind == "dual" ? .gaussianDual(try GaussianDualFilterParameters(hmm: p, window: 16)) : .gaussianForward(p)
    }

    static func engine(_ kind: String, learn: Bool, segment: Int = 50, refresh: Int = 4) throws -> PredictionEngine {
        PredictionEngine(models: [ModelDefinition(
            name: "g", match: "", spec: try spec(kind, try parameters(start)),
            learning: LearningOptions(enabled: learn, segmentLength: segment, refreshInterval: refresh))])
    }

    static func value(_ y: Double) -> InboundMessage { InboundMessage(body: .observation(.series([y])), encoding: .json) }

    /// ``EngineHMMLearningTests/interleave(_:_:prefix:concurrent:message:)`` over streams of values.
    static func run(_ engine: inout PredictionEngine, _ streams: [[Double]], prefix: String, concurrent: Int) throws -> Double {
        try EngineHMMLearningTests.interleave(&engine, streams, prefix: prefix, concurrent: concurrent, message: value)
    }

    @Test("online EM through the engine: held-out log-likelihood within 1 % of batch Baum–Welch's", arguments: ["forward", "dual"])
    func learnsAsWellAsBatchBaumWelch(kind: String) throws {
        var rng = EngineLearningTests.Rng(s: 1111)
        let training = (0..<120).map { _ in Self.sample(Self.truth, count: 300, &rng) }
        let heldOut = (0..<30).map { _ in Self.sample(Self.truth, count: 300, &rng) }

        var engine = try Self.engine(kind, learn: true)
        _ = try Self.run(&engine, training, prefix: "train/", concurrent: 40)
        let learner = try #require(engine.learning.gaussian.models["g"])
        #expect(learner.learner.contexts == 120, "every training stream's first segment teaches μ")
        #expect(learner.learner.contributions == 120 * 6 && learner.publications == 120 * 6 / 4)
        #expect(engine.learning.hmm.models.isEmpty)

        var batch = Self.start
        let iterations = batch.fit(training)
        let llBatch = batch.logLikelihood(heldOut)
        let llOnline = Self.reference(learner.published).logLikelihood(heldOut)
        let llStart = Self.start.logLikelihood(heldOut), llTrue = Self.truth.logLikelihood(heldOut)
        // Through the engine: held-out streams are new contexts under the learned (and still learning) model.
        let llEngine = -(try Self.run(&engine, heldOut, prefix: "test/", concurrent: 30))
        var plain = try Self.engine(kind, learn: false)
        let llPlain = -(try Self.run(&plain, heldOut, prefix: "test/", concurrent: 30))
        print("engine Gaussian HMM learning (\(kind)): held-out LL online \(llOnline), batch Baum–Welch \(llBatch) "
              + "(\(iterations) iterations), true \(llTrue), start \(llStart); through the engine \(llEngine), without learning \(llPlain); "
              + "online means \(learner.published.means), variances \(learner.published.variances); batch \(batch.means) \(batch.variances)")
        #expect(abs(llOnline - llBatch) <= 0.01 * abs(llBatch), "online \(llOnline) vs batch \(llBatch)")
        #expect(abs(llEngine - llBatch) <= 0.01 * abs(llBatch), "through the engine \(llEngine) vs batch \(llBatch)")
        #expect(llStart < llBatch - 0.05 * abs(llBatch), "the start model is already good: the test would prove nothing")
        if kind == "forward" { #expect(abs(llPlain - llStart) <= 1e-9 * abs(llStart), "engine and reference agree") }
    }

    @Test("learn: true without a publication changes no prediction, bit for bit", arguments: ["forward", "dual"])
    func learningWithoutPublicationIsInvisible(kind: String) throws {
        var rng = EngineLearningTests.Rng(s: 5)
        let streams = (0..<6).map { _ in Self.sample(Self.truth, count: 120, &rng) }
        var learning = try Self.engine(kind, learn: true, segment: 16, refresh: 1_000_000)
        var plain = try Self.engine(kind, learn: false)
        var a = OutboundPrediction(stream: "", model: "", prediction: Prediction()), b = a
        for t in 0..<120 {
            for (id, ys) in streams.enumerated() {
                try learning.process(stream: "s\(id)", message: Self.value(ys[t]), now: 0, into: &a)
                try plain.process(stream: "s\(id)", message: Self.value(ys[t]), now: 0, into: &b)
                #expect(a.prediction.isBitwiseEqual(to: b.prediction), "\(kind) s\(id) t=\(t)")
            }
        }
        #expect(learning.learning.gaussian.models["g"].map { $0.learner.contributions == 6 * 7 && $0.publications == 0 } == true)
    }

    @Test("error and surprise score each value against the published mixture, across parameter switches", arguments: ["forward", "dual"])
    func scoresAgainstThePublishedMixture(kind: String) throws {
        var rng = EngineLearningTests.Rng(s: 77)
        let streams = (0..<4).map { _ in Self.sample(Self.truth, count: 300, &rng) }
        var engine = try Self.engine(kind, learn: true, segment: 16, refresh: 1)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var publishedMean: [String: Double] = [:]
        var checked = 0, switched = 0, maxGap = 0.0
        for t in 0..<300 {
            for (id, ys) in streams.enumerated() {
                let stream = "s\(id)", key = StreamKey(stream), y = ys[t]
                // What the published prediction says about y: the filter before the switch, under its old parameters.
                var atPublication: Prediction?
                if var copy = engine.contexts[key]?.predictor {
                    var p = Prediction()
                    try copy.observe(.series([y]), into: &p)
                    atPublication = p
                    if let entry = engine.learning.gaussian.contexts[key], let learner = engine.learning.gaussian.models["g"],
                       entry.publication != learner.publications, var adopted = engine.contexts[key]?.predictor,
                       adopted.switchParameters(toFamily: .gaussian(learner.published)) {
                        var q = Prediction()
                        try adopted.observe(.series([y]), into: &q)
                        switched += 1
                        maxGap = max(maxGap, abs(q.surprise - p.surprise))
                    }
                }
                try engine.process(stream: stream, message: Self.value(y), now: 0, into: &out)
                if let mean = publishedMean[stream], let p = atPublication {
                    #expect(out.prediction.error[0].bitPattern == (y - mean).bitPattern, "\(kind) \(stream) t=\(t): error")
                    #expect(out.prediction.surprise.bitPattern == p.surprise.bitPattern,
                            "\(kind) \(stream) t=\(t): surprise \(out.prediction.surprise), published mixture gives \(p.surprise)")
                    checked += 1
                }
                publishedMean[stream] = out.prediction.mean[0]
            }
        }
        #expect(checked == 4 * 299)
        #expect(switched > 20, "\(kind): the streams adopted new parameters \(switched) times; the test needs switches to bite")
        #expect(maxGap > 1e-3, "\(kind): scoring under the adopted parameters would differ by up to \(maxGap) nats")
    }
}
