import PredictorCore
import PredictorEngine
import PredictordState
import PredictorWire
import Testing

@Suite("Checkpoint restore report")
struct CheckpointRestoreTests {
    @Test("a changed model's contexts start afresh (model_changed, under the configured parameters); a removed model's are skipped; order does not matter")
    func checkpointModelChangeStartsItsContextsAfresh() throws {
        let engine = CheckpointFixtures.trainedEngine()
        let checkpoint = try CheckpointCodec.decode(CheckpointCodec.encode(engine.checkpoint(createdAt: 0)))
        var models = CheckpointFixtures.models()
        let changedHMM = CheckpointFixtures.models(hmmSeed: 8)[3]
        #expect(changedHMM.name == "hmm" && changedHMM.spec != models[3].spec)
        models[3] = changedHMM
        models.removeLast()  // "dual"
        models.reverse()  // restored contexts must be re-indexed by name
        var fresh = PredictionEngine(models: models)
        let report = fresh.restore(from: checkpoint)

        let count = { (prefix: String) in engine.contexts.keys.filter { $0.string.hasPrefix(prefix) }.count }
        #expect(count("hmm/") == 2 && count("dual/") == 2)
        #expect(report.restored == engine.contexts.count - 4)
        #expect(report.skipped(.modelChanged, model: "hmm") == 2)
        #expect(report.skipped(.modelRemoved, model: "dual") == 2)
        #expect(report.totalSkipped == 4)
        #expect(report.restoredByModel == ["ar": count("ar/"), "reg": count("reg/"), "sm": count("sm/")])
        #expect(report.description.contains("2 context(s) of model 'hmm' skipped (model_changed"), "\(report)")
        #expect(report.description.contains("2 context(s) of model 'dual' skipped (model_changed") == false, "\(report)")
        #expect(report.description.contains("2 context(s) of model 'dual' skipped (model_removed"), "\(report)")
        #expect(!fresh.contexts.keys.contains { $0.string.hasPrefix("dual/") || $0.string.hasPrefix("hmm/") })
        #expect(fresh.models.count == models.count, "no old definition adopted")
        for (stream, context) in fresh.contexts {
            let original = try #require(engine.contexts[stream])
            #expect(fresh.models[context.model] == engine.models[original.model])
            #expect(context.predictor.encodedState() == original.predictor.encodedState())
        }
        // The changed model's streams start afresh under the configured definition: as a brand-new engine's would.
        var reference = PredictionEngine(models: models)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for z in [1, 0, 2, 3, 1] {
            let message = InboundMessage(body: .observation(.symbol(z)), encoding: .json)
            try reference.process(stream: "hmm/1", message: message, now: 0, into: &out)
            let p = out.prediction
            try fresh.process(stream: "hmm/1", message: message, now: 0, into: &out)
            #expect(p.isBitwiseEqual(to: out.prediction))
        }
        #expect(fresh.models[fresh.contexts["hmm/1"]!.model].spec == changedHMM.spec)
    }

    @Test("a checkpoint taken after a reload (two definitions of one name): contexts of the configured one are restored, those of the replaced one start afresh")
    func checkpointAfterReloadRestoresOnlyTheConfiguredDefinition() throws {
        var engine = CheckpointFixtures.trainedEngine()
        var models = CheckpointFixtures.models()
        models[3] = CheckpointFixtures.models(hmmSeed: 8)[3]
        engine.reload(models: models)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        try engine.process(stream: "hmm/after", message: InboundMessage(body: .observation(.symbol(1)), encoding: .json), now: 0, into: &out)
        let checkpoint = try CheckpointCodec.decode(CheckpointCodec.encode(engine.checkpoint(createdAt: 0)))
        #expect(checkpoint.models.filter { $0.name == "hmm" }.count == 2)
        var fresh = PredictionEngine(models: models)
        let report = fresh.restore(from: checkpoint)
        let oldHMM = engine.contexts.filter { $0.key.string.hasPrefix("hmm/") && $0.key.string != "hmm/after" }.count
        #expect(oldHMM == 2)
        #expect(report.restored == engine.contexts.count - oldHMM)
        #expect(report.skipped(.modelChanged, model: "hmm") == oldHMM)
        #expect(fresh.contexts["hmm/after"] != nil)
        for (stream, context) in fresh.contexts {
            #expect(fresh.models[context.model] == engine.models[engine.contexts[stream]!.model], "\(stream)")
        }
    }

    @Test("a context whose state does not decode is skipped and counted with its error; the rest are restored")
    func checkpointUndecodableStateIsSkipped() throws {
        let engine = CheckpointFixtures.trainedEngine()
        var checkpoint = engine.checkpoint(createdAt: 0)
        let victim = try #require(checkpoint.contexts.firstIndex { $0.model == "reg" })
        checkpoint.contexts[victim].state.removeLast(3)
        let other = try #require(checkpoint.contexts.firstIndex { $0.model == "dual" })
        checkpoint.contexts[other].state = []
        var fresh = PredictionEngine(models: CheckpointFixtures.models())
        let report = fresh.restore(from: checkpoint)
        #expect(report.restored == checkpoint.contexts.count - 2)
        #expect(report.skipped(.undecodableState, model: "reg") == 1)
        #expect(report.skipped(.undecodableState, model: "dual") == 1)
        let detail = try #require(report.firstError[.init(reason: .undecodableState, model: "reg")])
        #expect(detail.contains("reg/1") && detail.contains("cannot decode state"), "\(detail)")
        #expect(fresh.contexts["reg/1"] == nil)
    }

    @Test("invalid UTF-8 stream ids and a full context table are skipped and counted")
    func checkpointInvalidStreamAndContextLimit() throws {
        let engine = CheckpointFixtures.trainedEngine()
        var checkpoint = engine.checkpoint(createdAt: 0)
        var broken = checkpoint.contexts[0]
        broken.stream = [0x61, 0x72, 0x2F, 0xFF]
        checkpoint.contexts.append(broken)
        var limited = PredictionEngine(models: CheckpointFixtures.models(), limits: EngineLimits(maxContexts: 3))
        let report = limited.restore(from: checkpoint)
        #expect(report.skipped(.invalidStreamID, model: broken.model) == 1)
        #expect(report.restored == 3)
        #expect(report.totalSkipped == checkpoint.contexts.count - 3)
        #expect(limited.contexts.count == 3)
        // The most recently active contexts are the ones kept.
        let newest = engine.contexts.sorted { $0.value.lastActive > $1.value.lastActive }.prefix(3).map(\.key)
        #expect(Set(limited.contexts.keys) == Set(newest))
    }
}
