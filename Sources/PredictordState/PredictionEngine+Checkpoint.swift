import PredictorCore
import PredictorEngine

extension PredictionEngine {
    /// A snapshot of every model and context; contexts are sorted by stream id bytes, so equal engines give equal bytes.
    public func checkpoint(createdAt: Double) -> Checkpoint {
        let models = models.map { CheckpointModel(name: $0.name, spec: $0.spec) }
        var saved: [CheckpointContext] = []
        saved.reserveCapacity(contexts.count)
        for (stream, context) in contexts {
            saved.append(
                CheckpointContext(
                    stream: Array(stream.utf8), model: self.models[context.model].name, lastSeq: context.lastSeq,
                    lastActive: context.lastActive, state: context.predictor.encodedState()))
        }
        saved.sort { $0.stream.lexicographicallyPrecedes($1.stream) }
        return Checkpoint(createdAt: createdAt, models: models, contexts: saved)
    }

    /// Puts back every context whose model exists here by name with a bitwise-identical spec; never traps.
    ///
    /// Skipped contexts are counted by reason and model in the report; existing contexts of the same stream are replaced.
    @discardableResult
    public mutating func restore(from checkpoint: Checkpoint) -> RestoreReport {
        var report = RestoreReport()
        var byName: [String: Int] = [:]
        for (i, model) in models.enumerated() where byName[model.name] == nil { byName[model.name] = i }
        let savedSpecs = Dictionary(checkpoint.models.map { ($0.name, $0.encodedSpec) }, uniquingKeysWith: { a, _ in a })
        // Encoded once per model, compared per context.
        let currentSpecs = models.map(\.spec.encodedBytes)

        var candidates: [(stream: String, context: StreamContext, model: String)] = []
        candidates.reserveCapacity(checkpoint.contexts.count)
        for saved in checkpoint.contexts {
            guard let index = byName[saved.model] else {
                report.skip(.modelRemoved, model: saved.model, detail: "model '\(saved.model)' is not configured")
                continue
            }
            guard let savedSpec = savedSpecs[saved.model], savedSpec == currentSpecs[index] else {
                report.skip(
                    .modelChanged, model: saved.model,
                    detail: "the configured parameters of '\(saved.model)' differ from the checkpoint's")
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
                model: index, predictor: predictor, lastSeq: saved.lastSeq, lastActive: saved.lastActive)
            candidates.append((stream, context, saved.model))
        }

        let newStreams = candidates.reduce(0) { $0 + (contexts[$1.stream] == nil ? 1 : 0) }
        if contexts.count + newStreams > limits.maxContexts {
            // Keep the most recently active when the table cannot hold them all.
            candidates.sort { $0.context.lastActive > $1.context.lastActive }
        }
        for candidate in candidates {
            if contexts[candidate.stream] == nil, contexts.count >= limits.maxContexts {
                report.skip(
                    .contextLimit, model: candidate.model,
                    detail: "stream '\(candidate.stream)' (limits.max_contexts = \(limits.maxContexts))")
                continue
            }
            restore(stream: candidate.stream, context: candidate.context)
            report.restored += 1
            report.restoredByModel[candidate.model, default: 0] += 1
        }
        return report
    }
}
