import PredictorCore
import PredictorWire

/// Routes decoded messages to per-stream contexts and produces their predictions; the daemon and `replay` share it.
///
/// Pure state machine: no clocks, sockets or files. Every failure leaves all contexts unchanged and is counted.
public struct PredictionEngine: Sendable {
    /// Every model definition this engine has served, append-only: a context keeps the index it was created with.
    public private(set) var models: [ModelDefinition]
    /// Indices of the definitions that serve new streams (all of them until a ``reload(models:)``).
    public private(set) var activeModels: [Int]
    public let limits: EngineLimits
    private var router: ModelRouter
    /// Fast memory of every live stream, keyed by the stream id's exact bytes.
    public private(set) var contexts: [StreamKey: StreamContext]
    public var counters: EngineCounters
    /// Learned slow memory of RLS models with `learn: true`, by model name: the prior mean for new contexts.
    public var priorLearners: [String: RLSPriorLearner] = [:]
    /// Learned slow memory of HMM models with `learn: true` and their contexts' part in it (HMMLearning.swift).
    public var hmmLearning = HMMLearning()
    /// Learned β of softmax models with `learn: true` (SoftmaxTuning.swift).
    public var softmaxTuning = SoftmaxTuning()
    /// Live contexts per `match` prefix, for `limits.maxContextsPerPrefix`.
    private var prefixCounts = PrefixCounts()

    public init(models: [ModelDefinition], limits: EngineLimits = .unbounded) {
        self.models = models
        self.limits = limits
        activeModels = Array(models.indices)
        router = ModelRouter(models: models)
        contexts = [:]
        counters = EngineCounters(modelCount: models.count)
    }

    /// Handles one message of `stream` at time `now` (seconds); on success writes the prediction into `out`.
    ///
    /// `out` is reused between calls so its arrays are overwritten in place.
    public mutating func process(
        stream: String, message: InboundMessage, now: Double, into out: inout OutboundPrediction
    ) throws(EngineDrop) {
        do {
            try processUncounted(stream: stream, message: message, now: now, into: &out)
        } catch {
            counters.drop(error.reason)
            throw error
        }
    }

    private mutating func processUncounted(
        stream: String, message: InboundMessage, now: Double, into out: inout OutboundPrediction
    ) throws(EngineDrop) {
        try limits.check(stream: stream, message: message)
        let key = StreamKey(stream)
        var index = contexts.index(forKey: key)
        let isNew = index == nil
        if isNew { index = try createContext(key, now: now) }
        do {
            // The model is looked up inside `step`, under the in-place access: reading `.model` through the
            // dictionary's getter here copied the whole context (retaining all its arrays) on every message.
            try Self.step(
                context: &contexts.values[index!], counters: &counters, learners: &priorLearners, hmm: &hmmLearning, tuning: &softmaxTuning,
                stream: stream,
                models: models, message: message, now: now, into: &out)
        } catch {
            // A refused first message leaves no empty context behind (bad streams cannot fill the table).
            if isNew {
                if let removed = contexts.removeValue(forKey: key) { prefixCounts.remove(models[removed.model].match) }
                hmmLearning.forget(stream: stream)
                counters.contextsCreated &-= 1
            }
            throw error
        }
        counters.predictions &+= 1
    }

    /// Applies one message to one context; throws before mutating anything when the message is refused.
    private static func step(
        context: inout StreamContext, counters: inout EngineCounters, learners: inout [String: RLSPriorLearner],
        hmm: inout HMMLearning, tuning: inout SoftmaxTuning, stream: String, models: [ModelDefinition], message: InboundMessage, now: Double, into out: inout OutboundPrediction
    ) throws(EngineDrop) {
        // The definition is read field by field: binding it whole copied it (its strings and parameter arrays
        // retained and released) on every message.
        let modelIndex = context.model, learns = models[modelIndex].learning.enabled
        // Queries do not advance the stream, so only observations and resets must increase seq (docs/protocol.md).
        if message.body.advancesSeq, let seq = message.seq, let last = context.lastSeq {
            guard seq > last else {
                throw EngineDrop(
                    reason: "seq_not_increasing",
                    message: "stream '\(stream)': seq \(seq) is not after the last accepted seq \(last); "
                        + "a causal filter cannot take repeated or reordered observations (send {\"reset\":true} to restart the stream)")
            }
            if seq > last &+ 1 { counters.seqGaps &+= seq - last - 1 }
        }
        out.stream = stream
        out.model = models[modelIndex].kind
        out.ts = message.ts
        out.prediction.dof = .nan
        out.prediction.leader = -1
        out.prediction.leaderWeight = .nan
        if !out.prediction.horizonMean.isEmpty {
            out.prediction.horizonMean.removeAll(keepingCapacity: true)
            out.prediction.horizonVariance.removeAll(keepingCapacity: true)
        }
        switch message.body {
        case let .observation(observation):
            if learns { hmm.prepare(&context, stream: stream, model: models[modelIndex]) }
            let gradient = learns ? tuning.prepare(&context, model: models[modelIndex], observation: observation) : nil
            do {
                try context.predictor.observe(observation, into: &out.prediction)
            } catch {
                throw EngineDrop(reason: error.reason, message: "stream '\(stream)' (model '\(models[modelIndex].name)'): \(error)")
            }
            if !out.prediction.isPublishable {
                // Overflow (e.g. y = 1e308): the state is no longer finite and would stay so. Start the context
                // over (rare path only: the hot path checks a few published numbers and copies nothing).
                restart(&context, model: models[modelIndex], stream: stream, learners: learners, hmm: &hmm, learns: learns)
                throw EngineDrop(
                    reason: "non_finite_state",
                    message: "stream '\(stream)' (model '\(models[modelIndex].name)'): the observation drove the state to a non-finite "
                        + "value (an extreme y or x?); the observation is dropped and the stream's fast memory reset")
            }
            counters.observations &+= 1
            record(out.prediction, model: context.model, counters: &counters)
            if learns, !context.contributed { contribute(&context, model: models[modelIndex], learners: &learners, ending: false) }
            if learns, case let .symbol(z) = observation { hmm.learn(context, stream: stream, model: models[modelIndex], symbol: z) }
            if let gradient { tuning.learn(&context, model: models[modelIndex], gradient: gradient) }
            if let seq = message.seq { context.lastSeq = seq }
            out.seq = message.seq.map { $0 &+ 1 }
        case let .query(x):
            if learns { tuning.adopt(&context, model: models[modelIndex]) }
            do {
                try context.predictor.predict(query: x, into: &out.prediction)
            } catch {
                throw EngineDrop(reason: error.reason, message: "stream '\(stream)' (model '\(models[modelIndex].name)') query: \(error)")
            }
            out.seq = message.seq
        case .reset:
            if learns {
                if !context.contributed { contribute(&context, model: models[modelIndex], learners: &learners, ending: true) }
                context.predictor = Self.makePredictor(models[modelIndex], learners: learners)
                context.contributed = false
                hmm.restart(&context, stream: stream, model: models[modelIndex])
            } else {
                context.predictor.reset()
            }
            context.predictor.currentPrediction(into: &out.prediction)
            context.lastSeq = message.seq
            out.seq = message.seq.map { $0 &+ 1 }
        }
        context.lastActive = now
        switch out.prediction.kind {
        case .real:
            if !context.predictor.fillGaussianIntervals(&out.prediction, levels: models[modelIndex].intervals) {
                out.prediction.fillIntervals(models[modelIndex].intervals)
            }
        case .symbol:
            let h = models[modelIndex].horizon
            if h > 1, let hmm = context.predictor.hmmParameters {
                hmm.horizon(from: context.predictor.hmmMeasure, steps: h, means: &out.prediction.horizonMean,
                            variances: &out.prediction.horizonVariance)
                out.prediction.horizonInterval.removeAll(keepingCapacity: true)
            }
            out.prediction.fillIntervals(models[modelIndex].intervals, values: models[modelIndex].values, order: models[modelIndex].valueOrder)
        }
    }

    /// Clears a context whose state overflowed: a fresh predictor (from learned slow memory when the model learns),
    /// without contributing the broken state to any learner; the last seq is kept so numbering continues.
    private static func restart(
        _ context: inout StreamContext, model: ModelDefinition, stream: String, learners: [String: RLSPriorLearner],
        hmm: inout HMMLearning, learns: Bool
    ) {
        if learns {
            context.predictor = makePredictor(model, learners: learners)
            context.contributed = false
            hmm.restart(&context, stream: stream, model: model)
        } else {
            context.predictor.reset()
        }
    }

    /// Adds a context for a new stream, or explains why it cannot.
    private mutating func createContext(_ key: StreamKey, now: Double) throws(EngineDrop) -> Dictionary<StreamKey, StreamContext>.Index {
        let stream = key.string
        guard let routed = router.route(stream) else {
            throw EngineDrop(
                reason: "unknown_stream",
                message: "stream '\(stream)' matches no model's 'match' prefix; add a model whose match is a prefix of it (or \"\" for all)")
        }
        guard contexts.count < limits.maxContexts else {
            throw EngineDrop(
                reason: "context_limit",
                message: "stream '\(stream)' refused: \(contexts.count) contexts already live (limits.max_contexts); "
                    + "raise the limit or lower limits.idle_ttl_seconds")
        }
        let model = activeModels[routed]
        let match = models[model].match
        guard prefixCounts[match] < limits.maxContextsPerPrefix else {
            throw EngineDrop(
                reason: "prefix_context_limit",
                message: "stream '\(stream)' refused: \(prefixCounts[match]) contexts of prefix '\(match)' (model '\(models[model].name)') already live "
                    + "(limits.max_contexts_per_prefix); raise the limit or lower limits.idle_ttl_seconds")
        }
        prefixCounts.add(match)
        contexts[key] = StreamContext(model: model, predictor: Self.makePredictor(models[model], learners: priorLearners), lastActive: now)
        counters.contextsCreated &+= 1
        return contexts.index(forKey: key)!
    }

    private static func record(_ prediction: borrowing Prediction, model: Int, counters: inout EngineCounters) {
        switch prediction.kind {
        case .real:
            // An index loop: `for … where` allocates an iterator frame per call in debug builds (see AllocationTests).
            var i = 0
            while i < prediction.error.count {
                let e = prediction.error[i]
                if e.isFinite {
                    counters.models[model].squaredErrorSum += e * e
                    counters.models[model].squaredErrorCount &+= 1
                }
                i &+= 1
            }
        case .symbol:
            if prediction.surprise.isFinite {
                counters.models[model].surpriseSum += prediction.surprise
                counters.models[model].surpriseCount &+= 1
            }
        }
    }

    /// Makes `definitions` the models for new streams; existing contexts keep the definition they started with.
    ///
    /// A definition equal to one already known (same name and parameters) is reused, so reloading an unchanged
    /// configuration changes nothing. Returns the names whose definition is new or changed.
    @discardableResult
    public mutating func reload(models definitions: [ModelDefinition]) -> [String] {
        var active: [Int] = []
        var changed: [String] = []
        for definition in definitions {
            if let known = models.lastIndex(of: definition) {
                active.append(known)
            } else {
                models.append(definition)
                counters.models.append(ModelAccuracy())
                active.append(models.count - 1)
                changed.append(definition.name)
            }
        }
        activeModels = active
        router = ModelRouter(models: active.map { models[$0] })
        return changed
    }

    /// A fresh predictor for `model`, starting from its learned slow memory when it learns.
    static func makePredictor(_ model: ModelDefinition, learners: [String: RLSPriorLearner]) -> AnyPredictor {
        if model.learning.enabled, case let .rls(base) = model.spec, let learner = learners[model.name] {
            return .rls(RLSPredictor(parameters: learner.parameters(from: base)))
        }
        return model.spec.makePredictor()
    }

    /// Adds a context's fitted weights to its model's learned prior once it has learned `learn_after` pairs, or
    /// when it ends (reset, eviction) with at least p pairs, so the weights are determined by its data.
    static func contribute(
        _ context: inout StreamContext, model: ModelDefinition, learners: inout [String: RLSPriorLearner], ending: Bool
    ) {
        guard case let .rls(predictor) = context.predictor, case let .rls(base) = model.spec else { return }
        let state = predictor.value.state
        let needed = ending ? min(base.featureCount, model.learning.minimumPairs) : model.learning.minimumPairs
        guard state.learnedPairs >= needed, state.weights.allSatisfy({ $0.isFinite }) else { return }
        if learners[model.name] == nil {
            guard let fresh = try? RLSPriorLearner(initialMean: base.priorMean, minimumPairs: max(1, model.learning.minimumPairs)) else { return }
            learners[model.name] = fresh
        }
        learners[model.name]!.absorb(weights: state.weights)
        context.contributed = true
    }

    /// Index of `definition` among the known models, adding it as an inactive version (it serves existing
    /// contexts, e.g. restored ones that started under it, but no new streams) when it is not known yet.
    public mutating func adopt(_ definition: ModelDefinition) -> Int {
        if let known = models.lastIndex(of: definition) { return known }
        models.append(definition)
        counters.models.append(ModelAccuracy())
        return models.count - 1
    }

    /// Removes contexts idle for longer than `limits.idleTTL`; returns how many were removed.
    @discardableResult
    public mutating func evictIdle(now: Double) -> Int {
        guard limits.idleTTL > 0 else { return 0 }
        // In place: rebuilding a table of 10⁶ contexts every sweep would double its memory for the moment.
        let expired = contexts.compactMap { now - $0.value.lastActive > limits.idleTTL ? $0.key : nil }
        for stream in expired {
            guard var context = contexts.removeValue(forKey: stream) else { continue }
            let model = models[context.model]
            prefixCounts.remove(model.match)
            if model.learning.enabled, !context.contributed {
                Self.contribute(&context, model: model, learners: &priorLearners, ending: true)
            }
            if model.learning.enabled { hmmLearning.end(stream: stream.string, model: model) }
        }
        let removed = expired.count
        counters.contextsEvicted &+= UInt64(removed)
        return removed
    }

    /// Installs a restored context (from a checkpoint), replacing any context of the same stream.
    public mutating func restore(stream: String, context: StreamContext) {
        let key = StreamKey(stream)
        if let replaced = contexts[key] { prefixCounts.remove(models[replaced.model].match) }
        prefixCounts.add(models[context.model].match)
        contexts[key] = context
        hmmLearning.forget(stream: stream)
    }

    /// Removes every context (used by tests and on model-set changes).
    public mutating func removeAllContexts() {
        contexts.removeAll()
        hmmLearning.forgetAllContexts()
        prefixCounts.removeAll()
    }
}

extension InboundMessage.Body {
    /// Observations and resets move a stream's numbering on (and must increase seq); queries do not.
    fileprivate var advancesSeq: Bool {
        if case .query = self { return false }
        return true
    }
}

extension Prediction {
    /// False when a real prediction's mean is not finite or its variance infinite (NaN variance means "none"):
    /// the sign that an observation overflowed the context's state. Index loops: no allocation on the hot path.
    fileprivate var isPublishable: Bool {
        guard kind == .real else { return true }
        var i = 0
        while i < mean.count {
            if !mean[i].isFinite { return false }
            i &+= 1
        }
        i = 0
        while i < variance.count {
            if variance[i].isInfinite { return false }
            i &+= 1
        }
        return true
    }
}
