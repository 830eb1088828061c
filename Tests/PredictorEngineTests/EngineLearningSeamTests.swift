import PredictorCore
import PredictorWire
import Testing
@testable import PredictorEngine

/// The engine's one learning seam (``EngineLearning``): every learner kind through one ``ModelLearner`` for
/// snapshots, restores and the slow-memory change report.
@Suite struct EngineLearningSeamTests {
    /// An engine with a learning rls model fed `streams` streams of `y = 2x₀ − x₁ + 0.5x₂` (+ a per-stream offset).
    static func taught(streams: Int, offset: Double = 0) throws -> PredictionEngine {
        var engine = try EngineLearningTests.engine(learn: true)
        var rng = EngineLearningTests.Rng(s: 3)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for stream in 0..<streams {
            for _ in 0..<12 {
                let x = (0..<3).map { _ in rng.normal() }
                let y = 2 * x[0] - x[1] + (0.5 + offset) * x[2]
                try engine.process(stream: "s\(stream)", message: InboundMessage(body: .observation(.labelled(x: x, y: [y])), encoding: .json), now: 0, into: &out)
            }
        }
        return engine
    }

    @Test("a learner is reported once, then again only after a material move (rls prior: 1 % of max(1, |w|))")
    func changeReport() throws {
        var engine = try Self.taught(streams: 5)
        var reported: [String: ModelLearner] = [:]
        let first = engine.learning.changes(since: &reported)
        #expect(first.map(\.model) == ["pop"])
        #expect(first.first?.change.summary == "learned prior mean from 5 context(s)")
        #expect(first.first?.change.fields["prior_mean"]?.split(separator: " ").count == 3)
        #expect(engine.learning.changes(since: &reported).isEmpty, "nothing moved since")
        // Streams of the same weights move the mean by far less than 1 %: still nothing to report.
        let same = try Self.taught(streams: 6)
        #expect(same.learning.changes(since: &reported).isEmpty)
        // A population whose third weight is 0.3 larger moves the mean by more: reported.
        engine = try Self.taught(streams: 40, offset: 0.3)
        #expect(engine.learning.changes(since: &reported).map(\.model) == ["pop"])
    }

    @Test("restore through the seam: a learner installs where its model still learns with its shape, else a reason")
    func restoreReasons() throws {
        let taught = try Self.taught(streams: 5)
        let prior = try #require(taught.learning.learners["pop"])
        var same = try EngineLearningTests.engine(learn: true)
        #expect(same.restore(learner: prior, name: "pop") == nil)
        #expect(same.learning.learners["pop"] == prior)
        var off = try EngineLearningTests.engine(learn: false)
        #expect(off.restore(learner: prior, name: "pop")?.contains("no longer has learn: true") == true)
        #expect(off.restore(learner: prior, name: "gone")?.contains("is not configured") == true)
        let wider = ModelSpec.rls(try RLSParameters(layout: .explicit(dimension: 4), outputs: 1, lambda: 1, delta: 1))
        var reshaped = PredictionEngine(models: [ModelDefinition(name: "pop", match: "", spec: wider, learning: LearningOptions(enabled: true))])
        #expect(reshaped.restore(learner: prior, name: "pop")?.contains("number of features") == true)
        #expect(off.learning.learners.isEmpty && reshaped.learning.learners.isEmpty)
    }
}
