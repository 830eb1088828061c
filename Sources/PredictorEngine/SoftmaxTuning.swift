import PredictorCore

/// Slow memory of the softmax models with `learn: true`: one ``SoftmaxBetaLearner`` per model name, fed by every
/// scored observation of the model's contexts, maintained by ``PredictionEngine``.
///
/// Switching rule (as for HMMs): each context takes the published β at its next message, keeping its window.
public struct SoftmaxTuning: Sendable {
    /// Learners by model name.
    public internal(set) var models: [String: SoftmaxBetaLearner] = [:]
    /// Scratch (not state): the query features x (p entries), then Σ w·v and Σ w·s·v (q entries each).
    private var scratch: [Double] = []

    public init() {}

    // MARK: hooks called by the engine

    /// Puts the context under its model's published β (creating the learner on first use), keeping its state.
    /// In place (the payload is copied out and back without touching its arrays), so a switch does not allocate.
    mutating func adopt(_ context: inout StreamContext, model: ModelDefinition) {
        guard case let .softmax(base) = model.spec, case .softmax = context.predictor else { return }
        if models[model.name] == nil {
            guard let created = try? SoftmaxBetaLearner(beta: base.beta, options: model.learning) else { return }
            models[model.name] = created
        }
        let beta = models[model.name]!.published
        context.predictor.adoptSoftmax(beta: beta)
    }

    /// Before an observation: adopts the published β and returns g = ∂(½‖e‖²)/∂log β of the prediction the
    /// observation is scored against, or nil when there is none (empty window, malformed observation).
    mutating func prepare(_ context: inout StreamContext, model: ModelDefinition, observation: Observation) -> Double? {
        adopt(&context, model: model)
        guard case let .softmax(box) = context.predictor, box.value.state.fill > 0 else { return nil }
        let predictor = box.value
        let parameters = predictor.parameters, p = parameters.featureCount, q = parameters.outputs
        scratch.reset(count: p + 2 * q, to: 0)
        let y: [Double]
        switch (observation, parameters.layout) {
        case let (.labelled(x, target), .explicit):
            guard x.count == p, Self.allFinite(x) else { return nil }
            for j in 0..<p { scratch[j] = x[j] }
            y = target
        case let (.series(target), .autoregressive(_, bias)):
            guard let history = predictor.state.history else { return nil }
            var x = scratch
            scratch = []  // keep `x` unshared so filling it does not copy
            history.features(into: &x, bias: bias)
            scratch = x
            y = target
        default:
            return nil
        }
        guard y.count == q, Self.allFinite(y) else { return nil }
        if parameters.options.isForecasting {
            return predictor.forecastGradient(query: Array(scratch[0..<p]), target: y)
        }
        return Self.gradient(state: predictor.state, beta: parameters.beta, featureCount: p, outputs: q, y: y, scratch: &scratch)
    }

    /// After the observation was accepted: one step of the model's learner.
    mutating func learn(_ context: inout StreamContext, model: ModelDefinition, gradient: Double) {
        // Through the index: in debug builds the dictionary's keyed `_modify` allocates its coroutine frame.
        guard let i = models.index(forKey: model.name) else { return }
        models.values[i].step(gradient: gradient, newContext: !context.contributed)
        context.contributed = true
    }

    // MARK: checkpoints

    /// Installs a saved learner for the model of that name if it is still a learning softmax model with the same
    /// `learn_rate` and `learn_refresh`; returns why it was not installed otherwise.
    public mutating func restore(learner: SoftmaxBetaLearner, name: String, models definitions: [ModelDefinition]) -> String? {
        guard let model = definitions.last(where: { $0.name == name }) else { return "model '\(name)' is not configured" }
        guard model.learning.enabled, case .softmax = model.spec else {
            return "model '\(name)' no longer has learn: true on a softmax model"
        }
        guard learner.continues(under: model.learning) else { return "model '\(name)' changed learn_rate or learn_refresh" }
        models[name] = learner
        return nil
    }

    // MARK: the gradient

    /// Index loop: in debug builds `allSatisfy`'s unspecialised iterator allocates a frame per element.
    private static func allFinite(_ v: [Double]) -> Bool {
        var i = 0
        while i < v.count {
            if !v[i].isFinite { return false }
            i += 1
        }
        return true
    }

    /// g = −β Σ_c e_c ∂ŷ_c/∂β with ŷ = Σ wᵢ vᵢ, wᵢ = softmax(β sᵢ), sᵢ = kᵢᵀx, e = y − ŷ, so
    /// ∂ŷ_c/∂β = Σ wᵢ (sᵢ − s̄) v_ic (s̄ = Σ wᵢ sᵢ): two passes over the window, no allocation. `scratch` holds x.
    static func gradient(state: SoftmaxState, beta: Double, featureCount p: Int, outputs q: Int, y: [Double],
                         scratch: inout [Double]) -> Double? {
        let n = state.fill
        return state.keys.withUnsafeBufferPointer { keys -> Double? in
            state.values.withUnsafeBufferPointer { values -> Double? in
                scratch.withUnsafeMutableBufferPointer { buffer -> Double? in
                    let x = UnsafePointer(buffer.baseAddress!), wv = buffer.baseAddress! + p, wsv = wv + q
                    var top = -Double.infinity
                    for i in 0..<n {
                        let logit = beta * SoftmaxAttention.dot(keys.baseAddress! + i * p, x, p)
                        if logit > top { top = logit }
                    }
                    var total = 0.0, ws = 0.0
                    for i in 0..<n {
                        let s = SoftmaxAttention.dot(keys.baseAddress! + i * p, x, p)
                        let w = SoftmaxAttention.weight(logit: beta * s, top: top)
                        guard w != 0 else { continue }
                        total += w
                        ws += w * s
                        for c in 0..<q {
                            wv[c] += w * values[i * q + c]
                            wsv[c] += w * s * values[i * q + c]
                        }
                    }
                    guard total > 0, total.isFinite else { return nil }
                    let sBar = ws / total
                    var g = 0.0
                    for c in 0..<q {
                        let mean = wv[c] / total
                        let slope = wsv[c] / total - sBar * mean
                        g -= (y[c] - mean) * slope
                    }
                    g *= beta
                    return g.isFinite ? g : nil
                }
            }
        }
    }
}
