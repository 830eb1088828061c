import PredictorCore
import PredictorEngine

extension PredictionEngine {
    /// A snapshot of every model and context; contexts are sorted by stream id bytes, so equal engines give equal bytes.
    public func checkpoint(createdAt: Double) -> Checkpoint {
        var saved: [CheckpointContext] = []
        saved.reserveCapacity(contexts.count)
        forEachCheckpointContext { saved.append($0) }
        return Checkpoint(createdAt: createdAt, models: checkpointModels, contexts: saved, learners: learning.learners,
                          hmmContexts: checkpointHMMContexts, gaussianContexts: checkpointGaussianContexts)
    }

    /// The pending segments of contexts that feed an HMM learner, sorted by stream id bytes.
    var checkpointHMMContexts: [CheckpointHMMContext] { Self.pendingSegments(of: learning.hmm) }

    /// The pending segments of contexts that feed a Gaussian HMM learner, sorted by stream id bytes.
    var checkpointGaussianContexts: [CheckpointGaussianContext] { Self.pendingSegments(of: learning.gaussian) }

    private static func pendingSegments<L>(of learning: EMLearning<L>) -> [CheckpointSegmentContext<L.Element>] {
        var saved: [CheckpointSegmentContext<L.Element>] = []
        for (stream, entry) in learning.contexts {
            guard let collector = entry.collector else { continue }
            saved.append(CheckpointSegmentContext(stream: stream.string, learner: entry.learner, collector: collector))
        }
        saved.sort { $0.stream.utf8.lexicographicallyPrecedes($1.stream.utf8) }
        return saved
    }

    /// Every model as a checkpoint record, in the engine's order.
    var checkpointModels: [CheckpointModel] { models.map { CheckpointModel(name: $0.name, spec: $0.spec) } }

    /// Calls `body` with each context's checkpoint record in stream-byte order, one at a time, so a caller that
    /// encodes them as it goes never holds every record at once (see ``CheckpointCodec/encode(_:createdAt:chunkBytes:)``).
    func forEachCheckpointContext(_ body: (CheckpointContext) -> Void) {
        for stream in contexts.keys.sorted() {
            guard let context = contexts[stream] else { continue }
            body(CheckpointContext(
                stream: Array(stream.string.utf8), model: models[context.model].name, modelIndex: context.model,
                lastSeq: context.lastSeq, lastActive: context.lastActive, state: context.predictor.encodedState(),
                contributed: context.contributed, published: context.published))
        }
    }

    /// Puts back every context whose model is still configured with bitwise-identical parameters; never traps.
    ///
    /// A context saved under other parameters (an edited configuration, or a definition replaced by a SIGHUP reload)
    /// is not continued: its state belongs to another model (e.g. lags 8 under lags 4), so the stream starts afresh
    /// under the configured definition. Skipped contexts are counted by reason and model in the report.
    @discardableResult
    public mutating func restore(from checkpoint: Checkpoint) -> RestoreReport {
        var report = RestoreReport()
        let configuredNames = Set(models.map(\.name))
        // Learned slow memory comes back for models that still learn with the same shape and options.
        for (name, learner) in checkpoint.learners.sorted(by: { $0.key < $1.key }) {
            if let reason = restore(learner: learner, name: name) { report.discardedSlowMemory[name] = reason }
        }
        let currentSpecs = models.map(\.spec.encodedBytes)
        // Engine index for each checkpoint model, resolved once: nil = removed or changed (`changed` says which).
        var resolved: [Int?] = []
        var changed = Set<Int>()
        for (i, saved) in checkpoint.models.enumerated() {
            guard configuredNames.contains(saved.name) else { resolved.append(nil); continue }
            if let same = models.indices.first(where: { models[$0].name == saved.name && currentSpecs[$0] == saved.encodedSpec }) {
                resolved.append(same)
            } else {
                resolved.append(nil)
                changed.insert(i)
            }
        }

        var candidates: [(stream: String, context: StreamContext, model: String)] = []
        candidates.reserveCapacity(checkpoint.contexts.count)
        for saved in checkpoint.contexts {
            guard let index = resolved[saved.modelIndex] else {
                if changed.contains(saved.modelIndex) {
                    let description = (try? checkpoint.models[saved.modelIndex].decodeSpec()).map { "\($0)" } ?? "undecodable"
                    report.skip(.modelChanged, model: saved.model, detail: "stream '\(String(decoding: saved.stream, as: UTF8.self))' was saved under \(description)")
                } else {
                    report.skip(.modelRemoved, model: saved.model, detail: "model '\(saved.model)' is not configured")
                }
                continue
            }
            guard let stream = String(validating: saved.stream, as: UTF8.self) else {
                report.skip(.invalidStreamID, model: saved.model, detail: "stream id bytes \(saved.stream.prefix(32))")
                continue
            }
            let predictor: AnyPredictor
            do {
                predictor = try models[index].spec.restorePredictor(state: saved.state)
            } catch {
                report.skip(.undecodableState, model: saved.model, detail: "stream '\(stream)': \(error)")
                continue
            }
            let context = StreamContext(
                model: index, predictor: predictor, lastSeq: saved.lastSeq, lastActive: saved.lastActive,
                contributed: saved.contributed,
                published: Self.publication(saved.published, fits: predictor, learns: models[index].learning.enabled))
            candidates.append((stream, context, saved.model))
        }

        let newStreams = candidates.reduce(0) { $0 + (contexts[StreamKey($1.stream)] == nil ? 1 : 0) }
        if contexts.count + newStreams > limits.maxContexts {
            // Keep the most recently active when the table cannot hold them all.
            candidates.sort { $0.context.lastActive > $1.context.lastActive }
        }
        for candidate in candidates {
            if contexts[StreamKey(candidate.stream)] == nil, contexts.count >= limits.maxContexts {
                report.skip(
                    .contextLimit, model: candidate.model,
                    detail: "stream '\(candidate.stream)' (limits.max_contexts = \(limits.maxContexts))")
                continue
            }
            restore(stream: candidate.stream, context: candidate.context)
            report.restored += 1
            report.restoredByModel[candidate.model, default: 0] += 1
        }
        // Pending HMM segments follow their restored contexts (a context restored without one collects afresh
        // from its next reset).
        for saved in checkpoint.hmmContexts {
            restoreSegment(stream: saved.stream, learner: saved.learner, collector: saved.collector)
        }
        for saved in checkpoint.gaussianContexts {
            restoreSegment(stream: saved.stream, learner: saved.learner, collector: saved.collector)
        }
        return report
    }

    /// A saved publication if it can be what the restored context's next observation is scored against (its model
    /// learns, and it has the length and finite values of the predictor's prediction); empty otherwise.
    private static func publication(_ saved: [Double], fits predictor: AnyPredictor, learns: Bool) -> [Double] {
        guard learns, !saved.isEmpty, saved.allSatisfy(\.isFinite) else { return [] }
        var current = Prediction()
        predictor.currentPrediction(into: &current)
        let expected = predictor.mixtureLength ?? (current.kind == .symbol ? current.probabilities.count : current.mean.count)
        return saved.count == expected ? saved : []
    }
}
