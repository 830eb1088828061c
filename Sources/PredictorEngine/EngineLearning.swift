import PredictorCore

/// The engine's one learning seam: the learned slow memory of every model with `learn: true` and the hooks the
/// engine calls around each message. Per kind the work is done by ``RLSPriorLearner`` (prior means of new
/// contexts), ``HMMLearning`` and ``GaussianHMMLearning`` (online EM of symbol and Gaussian HMMs, with each
/// context's segment: one generic ``EMLearning``) and ``SoftmaxTuning`` (β); nothing outside
/// this type dispatches on the learner kind, and checkpoints see one ``ModelLearner`` per model.
///
/// Adding a model kind that does not learn touches nothing here; one that learns adds a ``ModelLearner`` case and
/// its hooks below (docs/architecture.md).
package struct EngineLearning: Sendable {
    /// RLS models' learned prior means, by model name.
    package private(set) var priors: [String: RLSPriorLearner] = [:]
    /// HMM models' learners and their contexts' segments.
    package private(set) var hmm = HMMLearning()
    /// Gaussian-emission HMM models' learners and their contexts' segments.
    package private(set) var gaussian = GaussianHMMLearning()
    /// Softmax models' learned β.
    package private(set) var softmax = SoftmaxTuning()

    package init() {}

    // MARK: hooks around one message (called by PredictionEngine for models that learn)

    /// Before an observation: the context takes its model's newest published parameters; returns what
    /// ``afterObservation(_:stream:model:observation:gradient:)`` needs (softmax: the gradient of the scored prediction).
    mutating func beforeObservation(_ context: inout StreamContext, stream: String, model: ModelDefinition,
                                    observation: Observation) -> Double? {
        hmm.prepare(&context, stream: stream, model: model)
        gaussian.prepare(&context, stream: stream, model: model)
        return softmax.prepare(&context, model: model, observation: observation)
    }

    /// After the observation was accepted: the context teaches its model's learner.
    mutating func afterObservation(_ context: inout StreamContext, stream: String, model: ModelDefinition,
                                   observation: Observation, gradient: Double?) {
        if !context.contributed { contribute(&context, model: model, ending: false) }
        hmm.learn(context, stream: stream, model: model, observation: observation)
        gaussian.learn(context, stream: stream, model: model, observation: observation)
        if let gradient { softmax.learn(&context, model: model, gradient: gradient) }
    }

    /// Before a query: the context answers under the newest published parameters.
    mutating func beforeQuery(_ context: inout StreamContext, model: ModelDefinition) {
        softmax.adopt(&context, model: model)
    }

    /// A reset (`contributing`: its fit may teach the prior) or a restart after the state overflowed (it may not):
    /// a fresh predictor from the learned slow memory, its HMM segment closed and a new one begun.
    mutating func restart(_ context: inout StreamContext, stream: String, model: ModelDefinition, contributing: Bool) {
        if contributing, !context.contributed { contribute(&context, model: model, ending: true) }
        context.predictor = makePredictor(model)
        context.contributed = false
        hmm.restart(&context, stream: stream, model: model)
        gaussian.restart(&context, stream: stream, model: model)
    }

    /// A context that ends (idle eviction) teaches what it has not taught yet.
    mutating func end(_ context: inout StreamContext, stream: String, model: ModelDefinition) {
        if !context.contributed { contribute(&context, model: model, ending: true) }
        hmm.end(stream: stream, model: model)
        gaussian.end(stream: stream, model: model)
    }

    /// Forgets a context's learning state without learning from it (a refused first message, a replaced context).
    mutating func forget(stream: String) {
        hmm.forget(stream: stream)
        gaussian.forget(stream: stream)
    }

    /// Forgets every context's learning state.
    mutating func forgetAllContexts() {
        hmm.forgetAllContexts()
        gaussian.forgetAllContexts()
    }

    /// A fresh predictor for `model`, starting from its learned slow memory when it learns.
    func makePredictor(_ model: ModelDefinition) -> AnyPredictor {
        if model.learning.enabled, case let .rls(base) = model.spec, let learner = priors[model.name] {
            return .rls(RLSPredictor(parameters: learner.parameters(from: base)))
        }
        return model.spec.makePredictor()
    }

    /// Adds a context's fitted weights to its model's learned prior once it has learned `learn_after` pairs, or
    /// when it ends (reset, eviction) with at least p pairs, so the weights are determined by its data.
    private mutating func contribute(_ context: inout StreamContext, model: ModelDefinition, ending: Bool) {
        guard case let .rls(predictor) = context.predictor, case let .rls(base) = model.spec else { return }
        let state = predictor.value.state
        let needed = ending ? min(base.featureCount, model.learning.minimumPairs) : model.learning.minimumPairs
        guard state.learnedPairs >= needed, state.weights.allSatisfy({ $0.isFinite }) else { return }
        if priors[model.name] == nil {
            guard let fresh = try? RLSPriorLearner(initialMean: base.priorMean, minimumPairs: max(1, model.learning.minimumPairs)) else { return }
            priors[model.name] = fresh
        }
        priors[model.name]!.absorb(weights: state.weights)
        context.contributed = true
    }

    // MARK: snapshot, restore, change report

    /// Every model's learned slow memory, by model name.
    package var learners: [String: ModelLearner] {
        var all: [String: ModelLearner] = [:]
        for (name, learner) in priors { all[name] = .rlsPrior(learner) }
        for (name, learner) in hmm.models { all[name] = .hmm(learner) }
        for (name, learner) in gaussian.models { all[name] = .gaussianHMM(learner) }
        for (name, learner) in softmax.models { all[name] = .softmax(learner) }
        return all
    }

    /// Installs a saved learner for the configured model `name` if it still learns with the same shape and options;
    /// returns why it was not installed otherwise.
    package mutating func restore(_ learner: ModelLearner, name: String, models: [ModelDefinition]) -> String? {
        switch learner {
        case let .rlsPrior(prior):
            guard let model = models.last(where: { $0.name == name }) else { return "model '\(name)' is not configured" }
            guard model.learning.enabled, case let .rls(p) = model.spec else { return "model '\(name)' no longer has learn: true on an rls model" }
            guard p.priorMean.count == prior.size else { return "model '\(name)' changed its number of features" }
            priors[name] = prior
            return nil
        case let .hmm(learner): return hmm.restore(learner: learner, name: name, models: models)
        case let .gaussianHMM(learner): return gaussian.restore(learner: learner, name: name, models: models)
        case let .softmax(learner): return softmax.restore(learner: learner, name: name, models: models)
        }
    }

    /// Re-attaches a restored context's pending HMM segment of symbols or values to its family's learner (see
    /// ``EMLearning/restore(stream:learner:collector:model:)``).
    package mutating func restoreSegment<E>(stream: String, learner serial: Int, collector: SegmentCollector<E>, model: ModelDefinition) {
        if let symbols = collector as? HMMSegmentCollector {
            hmm.restore(stream: stream, learner: serial, collector: symbols, model: model)
        } else if let values = collector as? GaussianSegmentCollector {
            gaussian.restore(stream: stream, learner: serial, collector: values, model: model)
        }
    }

    /// The models whose learned slow memory moved materially since `reported` (what was last reported for each),
    /// sorted by name; `reported` is updated to what is returned.
    package func changes(since reported: inout [String: ModelLearner]) -> [(model: String, change: SlowMemoryChange)] {
        var out: [(model: String, change: SlowMemoryChange)] = []
        for (name, learner) in learners.sorted(by: { $0.key < $1.key }) {
            guard let change = learner.change(since: reported[name]) else { continue }
            reported[name] = learner
            out.append((name, change))
        }
        return out
    }
}
