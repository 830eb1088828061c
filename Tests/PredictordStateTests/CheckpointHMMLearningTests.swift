import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordState
import Testing

@Suite("Checkpoint learned HMMs and softmax β")
struct CheckpointHMMLearningTests {
    /// The fixture models with `learn: true` on `hmm` (forward) and `dual`: short segments and frequent
    /// publications, so a short script crosses many segment boundaries, publications and resets.
    static func learningModels(refresh: Int = 2) -> [ModelDefinition] {
        CheckpointFixtures.models().map { model in
            var m = model
            if HMMLearning.hmm(of: m.spec) != nil {
                m.learning = LearningOptions(enabled: true, segmentLength: 8, refreshInterval: refresh)
            } else if case .softmax = m.spec {
                m.learning = LearningOptions(enabled: true, refreshInterval: refresh)
            }
            return m
        }
    }

    @Test("a restart at any point continues bit-identically: learners, pending segments, predictions")
    func restartContinuesIdentically() throws {
        let models = Self.learningModels()
        let script = CheckpointFixtures.script(count: 600, seed: 5)
        var reference = PredictionEngine(models: models)
        let expected = CheckpointFixtures.run(script, on: &reference)
        let learners = reference.learning.hmm.models
        #expect(learners["hmm"].map { $0.publications >= 3 } == true, "the script must publish several times")
        #expect(learners["dual"].map { $0.publications >= 3 } == true)
        let tuned = reference.learning.softmax.models
        #expect(tuned["sm"].map { $0.publications >= 3 } == true)
        for split in [37, 250, 480] {
            var first = PredictionEngine(models: models)
            _ = CheckpointFixtures.run(script[..<split], on: &first)
            let bytes = CheckpointCodec.encode(first.checkpoint(createdAt: 1))
            let decoded = try CheckpointCodec.decode(bytes)
            #expect(decoded.hmmLearners == first.learning.hmm.models)
            #expect(!decoded.hmmContexts.isEmpty)
            var resumed = PredictionEngine(models: models)
            let report = resumed.restore(from: decoded)
            #expect(report.discardedSlowMemory.isEmpty && report.totalSkipped == 0, "\(report)")
            #expect(resumed.learning.hmm.models == first.learning.hmm.models)
            #expect(resumed.learning.softmax.models == first.learning.softmax.models && decoded.softmaxLearners == first.learning.softmax.models)
            for (stream, entry) in first.learning.hmm.contexts where entry.collector != nil {
                #expect(resumed.learning.hmm.contexts[stream]?.collector == entry.collector, "\(stream)")
            }
            let sameBytes = CheckpointCodec.encode(resumed.checkpoint(createdAt: 1)) == bytes
            #expect(sameBytes, "restore then checkpoint gives the same bytes (split \(split))")
            // A query first (it must see the same β as the uninterrupted engine would), then the rest of the script.
            let query = ScriptedMessage(stream: "sm/x", message: InboundMessage(body: .query(x: [0.3, 0.8]), encoding: .json), now: 0)
            let asked = CheckpointFixtures.run([query], on: &first), answered = CheckpointFixtures.run([query], on: &resumed)
            #expect(asked[0].isBitwiseEqual(to: answered[0]), "query after restore, split \(split)")
            let rest = CheckpointFixtures.run(script[split...], on: &resumed)
            for (i, (a, b)) in zip(expected[split...], rest).enumerated() {
                #expect(a.isBitwiseEqual(to: b), "split \(split), message \(split + i)")
            }
            #expect(resumed.learning.hmm.models == learners, "split \(split)")
            #expect(resumed.learning.softmax.models == tuned, "split \(split)")
        }
    }

    @Test("learned HMM memory is dropped, and reported, when the learning options changed; format 1 still reads")
    func incompatibleOrOldCheckpoints() throws {
        var engine = PredictionEngine(models: Self.learningModels())
        _ = CheckpointFixtures.run(CheckpointFixtures.script(count: 300, seed: 8), on: &engine)
        let checkpoint = engine.checkpoint(createdAt: 1)
        var changed = PredictionEngine(models: Self.learningModels(refresh: 3))
        let report = changed.restore(from: checkpoint)
        #expect(report.discardedSlowMemory["hmm"]?.contains("learn_refresh") == true, "\(report)")
        #expect(report.description.contains("learned slow memory of model 'dual' discarded"))
        #expect(changed.learning.hmm.models.isEmpty && changed.learning.hmm.contexts.isEmpty && changed.learning.softmax.models.isEmpty)
        #expect(report.discardedSlowMemory["sm"]?.contains("learn_refresh") == true)
        #expect(report.restored == engine.contexts.count, "the contexts themselves are kept")

        // A format-1 payload is a format-3 payload without the contexts' publications (format 3: a zero count after
        // each context, as none of these models learns) and without the three learning sections (format 2).
        var plain = PredictionEngine(models: CheckpointFixtures.models())
        _ = CheckpointFixtures.run(CheckpointFixtures.script(count: 100, seed: 8), on: &plain)
        let current = plain.checkpoint(createdAt: 1)
        var writer = ByteWriter()
        writer.write(current.createdAt)
        writer.write(current.models.count)
        for model in current.models { model.encode(to: &writer) }
        writer.write(current.contexts.count)
        for context in current.contexts {
            var one = ByteWriter()
            context.encode(to: &one)
            writer.write(raw: Array(one.bytes.dropLast(8)))
        }
        writer.write(0)  // no RLS prior learners
        let v1 = try Checkpoint(payload: writer.bytes, formatVersion: 1)
        #expect(v1 == Checkpoint(formatVersion: 1, createdAt: 1, models: plain.checkpoint(createdAt: 1).models,
                                 contexts: plain.checkpoint(createdAt: 1).contexts))
        // Restored into an engine that now learns: running contexts switch to the learned parameters but contribute
        // only after their next reset (their first segment would not be a context start).
        var learning = PredictionEngine(models: Self.learningModels())
        learning.restore(from: v1)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        let running: String = try #require(["hmm/1", "hmm/2"].first { (plain.contexts[StreamKey($0)]?.predictor.encodedState().count ?? 0) > 0 })
        try learning.process(stream: running, message: InboundMessage(body: .observation(.symbol(1)), encoding: .json), now: 0, into: &out)
        #expect(learning.learning.hmm.contexts[StreamKey(running)]?.collector == nil)
        try learning.process(stream: running, message: InboundMessage(body: .reset, encoding: .json), now: 0, into: &out)
        #expect(learning.learning.hmm.contexts[StreamKey(running)]?.collector != nil)
    }

    @Test("corrupt HMM learning sections behind a valid checksum never crash decode, restore or the next messages")
    func fuzzedLearningSections() throws {
        var engine = PredictionEngine(models: Self.learningModels())
        _ = CheckpointFixtures.run(CheckpointFixtures.script(count: 300, seed: 3), on: &engine)
        var writer = ByteWriter()
        engine.checkpoint(createdAt: 1).encodePayload(to: &writer)
        let payload = writer.bytes
        var plain = ByteWriter()
        Checkpoint(createdAt: 1, models: engine.checkpoint(createdAt: 1).models, contexts: engine.checkpoint(createdAt: 1).contexts,
                   priorLearners: engine.learning.priors).encodePayload(to: &plain)
        let sectionStart = plain.bytes.count - 40  // the learning sections (five counts when empty) follow a format-1 payload
        let decoded = CheckpointFixtures.fuzz(payload, from: sectionStart, seed: 77, models: Self.learningModels()) {
            CheckpointFixtures.script(count: 60, seed: $0)
        }
        #expect(decoded > 0)
    }
}
