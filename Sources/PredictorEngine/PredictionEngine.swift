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
    package private(set) var contexts: [StreamKey: StreamContext]
    /// Accepted messages, drops by reason, gaps, evictions and per-model accuracy of the messages it processed.
    package private(set) var counters: EngineCounters
    /// Learned slow memory of every model with `learn: true`, and the hooks around each message (EngineLearning.swift).
    package private(set) var learning = EngineLearning()
    /// Live contexts per `match` prefix, for `limits.maxContextsPerPrefix`.
    private var prefixCounts = PrefixCounts()
    /// Half-life, in scored observations, of each model's windowed quality (``ModelAccuracy/recent``); 0 = off.
    public var qualityHalfLife = 0.0 { didSet { qualityDecay = QualityWindow.decay(halfLife: qualityHalfLife) } }
    private var qualityDecay = 0.0
    /// Index (in ``models``) of the model that served the last accepted message.
    public private(set) var lastModelIndex = 0
    /// The last accepted observation's innovation over its forecast's standard deviation (NaN when not scored;
    /// only with ``qualityHalfLife`` > 0): what the daemon ranks streams by recent error with.
    public private(set) var lastStandardizedError = Double.nan

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
        if index == nil, case .state = message.body { return try answerStateOfAbsentStream(stream, message: message, into: &out) }
        let isNew = index == nil
        if isNew { index = try createContext(key, now: now) }
        do {
            // The model is looked up inside `step`, under the in-place access: reading `.model` through the
            // dictionary's getter here copied the whole context (retaining all its arrays) on every message.
            (lastModelIndex, lastStandardizedError) = try Self.step(
                context: &contexts.values[index!], counters: &counters, learning: &learning, stream: stream,
                models: models, message: message, now: now, decay: qualityDecay, into: &out)
        } catch {
            // A refused first message leaves no empty context behind (bad streams cannot fill the table).
            if isNew {
                if let removed = contexts.removeValue(forKey: key) { prefixCounts.remove(models[removed.model].match) }
                learning.forget(stream: stream)
                counters.contextsCreated &-= 1
            }
            throw error
        }
        counters.predictions &+= 1
    }

    /// Applies one message to one context and returns its model's index and the standardized innovation (NaN unless
    /// scored); throws before mutating anything when the message is refused.
    private static func step(
        context: inout StreamContext, counters: inout EngineCounters, learning: inout EngineLearning, stream: String,
        models: [ModelDefinition], message: InboundMessage, now: Double, decay: Double, into out: inout OutboundPrediction
    ) throws(EngineDrop) -> (model: Int, standardizedError: Double) {
        // The definition is read field by field: binding it whole copied it (its strings and parameter arrays
        // retained and released) on every message.
        let modelIndex = context.model, learns = models[modelIndex].learning.enabled
        var standardized = Double.nan
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
        out.begin(stream: stream, model: models[modelIndex].kind, ts: message.ts, isState: false)
        switch message.body {
        case let .observation(observation):
            let gradient = learns
                ? learning.beforeObservation(&context, stream: stream, model: models[modelIndex], observation: observation) : nil
            do {
                try context.predictor.observe(observation, into: &out.prediction)
            } catch {
                throw EngineDrop(reason: error.reason, message: "stream '\(stream)' (model '\(models[modelIndex].name)'): \(error)")
            }
            if !out.prediction.isPublishable {
                // Overflow (e.g. y = 1e308): the state is no longer finite and would stay so. Start the context
                // over (rare path only: the hot path checks a few published numbers and copies nothing).
                restart(&context, model: models[modelIndex], stream: stream, learning: &learning, learns: learns)
                throw EngineDrop(
                    reason: "non_finite_state",
                    message: "stream '\(stream)' (model '\(models[modelIndex].name)'): the observation drove the state to a non-finite "
                        + "value (an extreme y or x?); the observation is dropped and the stream's fast memory reset")
            }
            if learns { context.scoreAgainstPublished(observation, into: &out.prediction) }
            counters.observations &+= 1
            record(out.prediction, model: context.model, counters: &counters)
            if decay > 0 {
                standardized = counters.models[modelIndex].recent.score(
                    observation, out.prediction, memo: context.memo, values: models[modelIndex].values, decay: decay)
            }
            if learns {
                learning.afterObservation(&context, stream: stream, model: models[modelIndex], observation: observation, gradient: gradient)
            }
            if let seq = message.seq { context.lastSeq = seq }
            out.seq = message.seq.map { $0 &+ 1 }
        case let .query(x):
            if learns { learning.beforeQuery(&context, model: models[modelIndex]) }
            do {
                try context.predictor.predict(query: x, into: &out.prediction)
            } catch {
                throw EngineDrop(reason: error.reason, message: "stream '\(stream)' (model '\(models[modelIndex].name)') query: \(error)")
            }
            out.seq = message.seq
        case .reset:
            if learns {
                learning.restart(&context, stream: stream, model: models[modelIndex], contributing: true)
            } else {
                context.predictor.reset()
            }
            context.predictor.currentPrediction(into: &out.prediction)
            context.lastSeq = message.seq
            out.seq = message.seq.map { $0 &+ 1 }
        case .state:
            // The recovery answer (docs/protocol.md): the current prediction, seq = last absorbed + 1, n; the
            // stream is not touched (not even its idle clock).
            context.predictor.currentPrediction(into: &out.prediction)
            out.seq = context.lastSeq.map { $0 &+ 1 }
            out.isState = true
            fillIntervals(&out.prediction, context: context, model: models[modelIndex])
            return (modelIndex, .nan)
        }
        context.lastActive = now
        fillIntervals(&out.prediction, context: context, model: models[modelIndex])
        if learns, message.body.advancesSeq { context.keepPublished(out.prediction) }
        if decay > 0 { context.memo.remember(out.prediction, message.body) }
        return (modelIndex, standardized)
    }

    /// The published extras of a prediction: intervals, and an HMM's horizon.
    static func fillIntervals(_ prediction: inout Prediction, context: borrowing StreamContext, model: borrowing ModelDefinition) {
        switch prediction.kind {
        case .real:
            if !context.predictor.fillGaussianIntervals(&prediction, levels: model.intervals) {
                prediction.fillIntervals(model.intervals)
            }
        case .symbol:
            let h = model.horizon
            if h > 1, let hmm = context.predictor.hmmParameters {
                hmm.horizon(from: context.predictor.hmmMeasure, steps: h, means: &prediction.horizonMean,
                            variances: &prediction.horizonVariance)
                prediction.horizonInterval.removeAll(keepingCapacity: true)
            }
            prediction.fillIntervals(model.intervals, values: model.values, order: model.valueOrder)
        }
    }

    /// Clears a context whose state overflowed: a fresh predictor (from learned slow memory when the model learns),
    /// without contributing the broken state to any learner; the last seq is kept so numbering continues.
    private static func restart(
        _ context: inout StreamContext, model: ModelDefinition, stream: String, learning: inout EngineLearning, learns: Bool
    ) {
        context.published.removeAll()
        if learns {
            learning.restart(&context, stream: stream, model: model, contributing: false)
        } else {
            context.predictor.reset()
        }
    }

    /// Index of the model a new `stream` would be created under; `unknown_stream` when no `match` prefix routes it.
    func modelForNewStream(_ stream: String) throws(EngineDrop) -> Int {
        guard let routed = router.route(stream) else {
            throw EngineDrop(
                reason: "unknown_stream",
                message: "stream '\(stream)' matches no model's 'match' prefix; add a model whose match is a prefix of it (or \"\" for all)")
        }
        return activeModels[routed]
    }

    /// Adds a context for a new stream, or explains why it cannot.
    private mutating func createContext(_ key: StreamKey, now: Double) throws(EngineDrop) -> Dictionary<StreamKey, StreamContext>.Index {
        let stream = key.string
        let model = try modelForNewStream(stream)
        guard contexts.count < limits.maxContexts else {
            throw EngineDrop(
                reason: "context_limit",
                message: "stream '\(stream)' refused: \(contexts.count) contexts already live (limits.max_contexts); "
                    + "raise the limit or lower limits.idle_ttl_seconds")
        }
        let match = models[model].match
        guard prefixCounts[match] < limits.maxContextsPerPrefix else {
            throw EngineDrop(
                reason: "prefix_context_limit",
                message: "stream '\(stream)' refused: \(prefixCounts[match]) contexts of prefix '\(match)' (model '\(models[model].name)') already live "
                    + "(limits.max_contexts_per_prefix); raise the limit or lower limits.idle_ttl_seconds")
        }
        prefixCounts.add(match)
        contexts[key] = StreamContext(model: model, predictor: learning.makePredictor(models[model]), lastActive: now)
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
            if model.learning.enabled { learning.end(&context, stream: stream.string, model: model) }
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
        learning.forget(stream: stream)
    }

    /// Installs a model's learned slow memory saved by a checkpoint; returns why it was not installed (the model no
    /// longer learns, or changed its shape or learning options) otherwise.
    package mutating func restore(learner: ModelLearner, name: String) -> String? {
        learning.restore(learner, name: name, models: models)
    }

    /// Re-attaches a restored context's pending HMM segment (symbols or values) to its model's restored learner.
    package mutating func restoreSegment<E>(stream: String, learner serial: Int, collector: SegmentCollector<E>) {
        guard let context = contexts[StreamKey(stream)] else { return }
        learning.restoreSegment(stream: stream, learner: serial, collector: collector, model: models[context.model])
    }

    /// Runs `body` on this engine without counting what it processes: a replay of messages an earlier run already
    /// counted (the journal after a checkpoint).
    package mutating func uncounted(_ body: (inout PredictionEngine) -> Void) {
        let saved = counters
        body(&self)
        counters = saved
    }

    /// Removes every context (used by tests and on model-set changes).
    public mutating func removeAllContexts() {
        contexts.removeAll()
        learning.forgetAllContexts()
        prefixCounts.removeAll()
    }
}

extension InboundMessage.Body {
    /// Observations and resets move a stream's numbering on (and must increase seq); queries and state questions do not.
    fileprivate var advancesSeq: Bool {
        switch self {
        case .query, .state: false
        case .observation, .reset: true
        }
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

extension OutboundPrediction {
    /// Starts the prediction of one message: its stream, model and ts, and the optional fields cleared that only
    /// some models fill (a predictor writes the rest).
    mutating func begin(stream: String, model: String, ts: Double?, isState: Bool) {
        self.stream = stream
        self.model = model
        self.ts = ts
        self.isState = isState
        prediction.dof = .nan
        prediction.leader = -1
        prediction.leaderWeight = .nan
        if !prediction.horizonMean.isEmpty {
            prediction.horizonMean.removeAll(keepingCapacity: true)
            prediction.horizonVariance.removeAll(keepingCapacity: true)
        }
    }
}
