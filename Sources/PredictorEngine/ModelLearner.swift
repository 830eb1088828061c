import PredictorCore

/// The learned slow memory of one model with `learn: true`, whatever its kind: enum dispatch, like ``AnyPredictor``,
/// so checkpoints, restores and change reports handle every learner through one type.
package enum ModelLearner: Sendable, Equatable {
    /// `rls`: the prior mean new contexts start from, learned from finished fits.
    case rlsPrior(RLSPriorLearner)
    /// `forward` / `dual`: A, C, μ by online EM over segments of every context.
    case hmm(HMMModelLearner)
    /// `softmax`: β by online gradient descent on the prequential squared error.
    case softmax(SoftmaxBetaLearner)

    /// The learner kind as configuration and logs name it.
    package var kindName: String {
        switch self {
        case .rlsPrior: "rls prior mean"
        case .hmm: "HMM A, C, μ"
        case .softmax: "softmax β"
        }
    }

    /// What the model's contexts use now, as a report of the change since `previous` (the value last reported), or
    /// nil when it has not moved materially: a prior mean by more than 1 % of max(1, |value|), an HMM entry by more
    /// than 0.01, β by more than 1 %. Nothing is reported before the first publication.
    package func change(since previous: ModelLearner?) -> SlowMemoryChange? {
        func list(_ v: [Double]) -> String { v.map { "\($0)" }.joined(separator: " ") }
        switch (self, previous) {
        case let (.rlsPrior(now), before):
            if case let .rlsPrior(old)? = before, old.mean.count == now.mean.count,
               !zip(old.mean, now.mean).contains(where: { abs($0 - $1) > 0.01 * max(1, abs($0)) }) { return nil }
            return SlowMemoryChange(
                summary: "learned prior mean from \(now.contributions) context(s)",
                fields: ["contributions": "\(now.contributions)", "prior_mean": list(now.mean)])
        case let (.hmm(now), before):
            guard now.publications > 0 else { return nil }
            if case let .hmm(old)? = before, HMMLearner.materialChange(from: old.published, to: now.published) <= 0.01 { return nil }
            let p = now.published
            return SlowMemoryChange(
                summary: "learned A, C, μ from \(now.learner.contexts) context(s), \(now.learner.contributions) segment(s)",
                fields: ["contexts": "\(now.learner.contexts)", "segments": "\(now.learner.contributions)",
                         "publications": "\(now.publications)", "transition": list(p.transition),
                         "emission": list(p.emission), "initial": list(p.initial)])
        case let (.softmax(now), before):
            guard now.publications > 0 else { return nil }
            if case let .softmax(old)? = before, abs(now.published - old.published) <= 0.01 * old.published { return nil }
            return SlowMemoryChange(
                summary: "learned beta \(now.published) from \(now.contexts) context(s), \(now.steps) step(s)",
                fields: ["beta": "\(now.published)", "contexts": "\(now.contexts)", "steps": "\(now.steps)"])
        }
    }
}

/// A material move of one model's learned slow memory, for the journal: a one-line summary and its figures.
package struct SlowMemoryChange: Sendable, Equatable {
    package var summary: String
    package var fields: [String: String]
}
