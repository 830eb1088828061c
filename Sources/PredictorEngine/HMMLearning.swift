import PredictorCore

/// Slow memory of the HMM models of one emission family with `learn: true` (one ``EMModelLearner`` per model
/// name) and each of their contexts' part in it (segment collector, parameters in use), maintained by
/// ``PredictionEngine``: ``HMMLearning`` for symbol HMMs, ``GaussianHMMLearning`` for Gaussian emissions.
///
/// Switching rule: a learner publishes its estimate every `learn_refresh` absorbed segments, and each context of
/// the model takes the published parameters at its next observation, keeping its filter state π (valid under any
/// parameters of the same shape); new and reset contexts start from the published μ. Everything happens inside
/// ``PredictionEngine/process(stream:message:now:into:)``, so learning depends only on message order.
public struct EMLearning<Learner: EngineHMMLearner>: Sendable {
    /// Learners by model name.
    public internal(set) var models: [String: EMModelLearner<Learner>] = [:]
    /// Contexts of learning HMM models by stream id (its exact bytes, like the engine's contexts).
    public internal(set) var contexts: [StreamKey: HMMContextLearning<Learner.Element>] = [:]
    /// Serial of the next learner created (serials are never reused).
    var nextSerial = 1

    public init() {}

    // MARK: hooks called by the engine

    /// Before an observation: a new context starts from the published parameters and joins the learning; an
    /// existing one switches to a newer publication, keeping its state.
    mutating func prepare(_ context: inout StreamContext, stream: String, model: ModelDefinition) {
        guard Learner.serves(model.spec) else { return }
        if let i = contexts.index(forKey: StreamKey(stream)) {
            // Read in place (``inPlace(_:_:)``): the values' getter copied the entry and the model's learner, a
            // retain and release of each of their arrays, on every message.
            let (serial, publication) = Self.inPlace(&contexts.values[i]) { ($0.learner, $0.publication) }
            guard let l = models.index(forKey: model.name), Self.inPlace(&models.values[l], { $0.serial }) == serial else {
                // The model's learner was replaced (its shape changed): carry on alone until the next reset.
                if serial > 0 { contexts.values[i] = HMMContextLearning(collector: nil, learner: 0, publication: 0) }
                return
            }
            let publications = Self.inPlace(&models.values[l]) { $0.publications }
            if publication != publications,
               context.predictor.switchParameters(toFamily: Learner.family(models.values[l].published)) {
                contexts.values[i].publication = publications
            }
            return
        }
        guard let hmm = Learner.model(of: model.spec), let count = context.predictor.hmmCount else { return }
        join(&context, stream: stream, model: model, hmm: hmm, fresh: count == 0)
    }

    /// After an accepted observation of this family: extends the context's segment; absorbs it when complete.
    mutating func learn(_ context: StreamContext, stream: String, model: ModelDefinition, observation: Observation) {
        guard let z = Learner.element(of: observation), let i = contexts.index(forKey: StreamKey(stream)) else { return }
        let (pending, length) = Self.inPlace(&contexts.values[i]) { ($0.collector?.observations.count, $0.collector?.length ?? 0) }
        guard let pending else { return }
        // π after z is needed only when the segment completes (it starts the next one). No copy of the collector is
        // held across the append, so its symbols are appended in place.
        let next = pending + 1 >= length ? context.predictor.hmmMeasure : []
        guard let segment = contexts.values[i].collector!.append(z, next: next) else { return }
        absorb(segment, model: model.name, learner: Self.inPlace(&contexts.values[i]) { $0.learner })
    }

    /// On a reset: absorbs the context's partial segment, then restarts it from the published μ.
    mutating func restart(_ context: inout StreamContext, stream: String, model: ModelDefinition) {
        end(stream: stream, model: model)
        guard let hmm = Learner.model(of: model.spec), context.predictor.hmmCount != nil else { return }
        join(&context, stream: stream, model: model, hmm: hmm, fresh: true)
    }

    /// When a context ends (idle eviction): absorbs its partial segment and forgets it.
    mutating func end(stream: String, model: ModelDefinition) {
        guard let entry = contexts.removeValue(forKey: StreamKey(stream)), let pending = entry.collector?.pending else { return }
        absorb(pending, model: model.name, learner: entry.learner)
    }

    /// Forgets a context without learning from it (a refused first message, a replaced or removed context).
    mutating func forget(stream: String) {
        contexts.removeValue(forKey: StreamKey(stream))
    }

    /// Forgets every context.
    mutating func forgetAllContexts() {
        contexts.removeAll()
    }

    // MARK: checkpoints

    /// Installs a saved learner for the model of that name if it still learns with the same HMM shape, values and
    /// learning options; returns why it was not installed otherwise.
    public mutating func restore(learner: EMModelLearner<Learner>, name: String, models definitions: [ModelDefinition]) -> String? {
        guard let model = definitions.last(where: { $0.name == name }) else { return "model '\(name)' is not configured" }
        guard model.learning.enabled, let hmm = Learner.model(of: model.spec) else {
            return "model '\(name)' no longer has learn: true on a forward or dual model"
        }
        guard learner.fits(hmm) else { return "model '\(name)' changed its states (or symbols, values)" }
        guard learner.continues(under: model.learning) else {
            return "model '\(name)' changed learn_offset, learn_exponent, learn_smoothing or learn_refresh"
        }
        models[name] = learner
        nextSerial = max(nextSerial, learner.serial + 1)
        return nil
    }

    /// Re-attaches a restored context's pending segment when it belongs to its model's restored learner; the
    /// context takes the published parameters at its next observation. Returns false when the segment is dropped.
    @discardableResult
    public mutating func restore(stream: String, learner serial: Int, collector: SegmentCollector<Learner.Element>,
                                 model: ModelDefinition) -> Bool {
        guard model.learning.enabled, let hmm = Learner.model(of: model.spec), let learner = models[model.name],
              learner.serial == serial, learner.fits(hmm),
              (try? collector.validate(states: Learner.initialMeasure(of: hmm).count, valid: { Learner.accepts($0, under: hmm) })) != nil
        else { return false }
        contexts[StreamKey(stream)] = HMMContextLearning(collector: collector, learner: serial, publication: -1)
        return true
    }

    // MARK: internals

    /// Enrols a context: a fresh one restarts from the published parameters and collects segments from its first
    /// symbol; a running one (restored from before learning) only switches parameters. A fresh context of a model
    /// whose learner no longer fits its HMM replaces the learner (the model's shape or values changed).
    private mutating func join(_ context: inout StreamContext, stream: String, model: ModelDefinition,
                               hmm: Learner.Parameters, fresh: Bool) {
        if models[model.name].map({ !$0.fits(hmm) }) ?? true {
            guard fresh || models[model.name] == nil,
                  let created = try? EMModelLearner<Learner>(model: hmm, options: model.learning, serial: nextSerial)
            else {
                contexts[StreamKey(stream)] = HMMContextLearning(collector: nil, learner: 0, publication: 0)
                return
            }
            nextSerial += 1
            models[model.name] = created
        }
        let learner = models[model.name]!
        if fresh, let restarted = context.predictor.restarting(with: Learner.family(learner.published)),
           let collector = try? SegmentCollector<Learner.Element>(length: model.learning.segmentLength,
                                                                  start: Learner.initialMeasure(of: learner.published)) {
            context.predictor = restarted
            contexts[StreamKey(stream)] = HMMContextLearning(collector: collector, learner: learner.serial, publication: learner.publications)
        } else if !fresh, context.predictor.switchParameters(toFamily: Learner.family(learner.published)) {
            contexts[StreamKey(stream)] = HMMContextLearning(collector: nil, learner: learner.serial, publication: learner.publications)
        } else {
            contexts[StreamKey(stream)] = HMMContextLearning(collector: nil, learner: 0, publication: 0)
        }
    }

    /// Reads a dictionary value through an inout access (`_modify`, in place): the `values[i]` getter returns a copy
    /// of the whole element, retaining every array it holds.
    @inline(__always)
    private static func inPlace<T, R>(_ value: inout T, _ read: (inout T) -> R) -> R { read(&value) }

    /// Hands a segment to the model's learner, if it is still the learner the segment was collected for.
    private mutating func absorb(_ segment: ObservationSegment<Learner.Element>, model name: String, learner serial: Int) {
        guard models[name]?.serial == serial else { return }
        models[name]!.absorb(segment)
    }
}

/// Online EM of symbol HMMs (A, C, μ).
public typealias HMMLearning = EMLearning<HMMLearner>
/// Online EM of Gaussian-emission HMMs (A, μ, means, variances).
public typealias GaussianHMMLearning = EMLearning<GaussianHMMLearner>

extension EMLearning where Learner == HMMLearner {
    /// The symbol HMM of a forward or dual model (nil for other kinds).
    public static func hmm(of spec: ModelSpec) -> HMMParameters? { HMMLearner.model(of: spec) }
}
