import PredictorCore

/// The learned slow memory of one model with `learn: true`, whatever its kind: enum dispatch, like ``AnyPredictor``,
/// so checkpoints, restores and change reports handle every learner through one type.
package enum ModelLearner: Sendable, Equatable {
    /// `rls`: the prior mean new contexts start from, learned from finished fits.
    case rlsPrior(RLSPriorLearner)
    /// `forward` / `dual`: A, C, μ by online EM over segments of every context.
    case hmm(HMMModelLearner)
    /// `forward` / `dual` with Gaussian emissions: A, μ, means and variances by the same online EM.
    case gaussianHMM(GaussianHMMModelLearner)
    /// `softmax`: β by online gradient descent on the prequential squared error.
    case softmax(SoftmaxBetaLearner)

    /// The learner kind as configuration and logs name it.
    package var kindName: String {
        switch self {
        case .rlsPrior: "rls prior mean"
        case .hmm: "HMM A, C, μ"
        case .gaussianHMM: "Gaussian HMM A, μ, means, variances"
        case .softmax: "softmax β"
        }
    }

    /// What the model's contexts use now, as a report of the change since `previous` (the value last reported), or
    /// nil when it has not moved materially: a prior mean by more than 1 % of max(1, |value|), an HMM entry by more
    /// than 0.01 (a Gaussian mean or variance by more than 0.01·max(1, |value|)), β by more than 1 %. Nothing is
    /// reported before the first publication.
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
            guard case let .hmm(old)? = before else { return Self.change(now, since: nil, what: "A, C, μ") }
            return Self.change(now, since: old, what: "A, C, μ")
        case let (.gaussianHMM(now), before):
            guard case let .gaussianHMM(old)? = before else { return Self.change(now, since: nil, what: "A, μ, means, variances") }
            return Self.change(now, since: old, what: "A, μ, means, variances")
        case let (.softmax(now), before):
            guard now.publications > 0 else { return nil }
            if case let .softmax(old)? = before, abs(now.published - old.published) <= 0.01 * old.published { return nil }
            return SlowMemoryChange(
                summary: "learned beta \(now.published) from \(now.contexts) context(s), \(now.steps) step(s)",
                fields: ["beta": "\(now.published)", "contexts": "\(now.contexts)", "steps": "\(now.steps)"])
        }
    }
}

extension ModelLearner {
    /// An online-EM learner's change report (either HMM family): its published entries by configuration key.
    private static func change<L>(_ now: EMModelLearner<L>, since old: EMModelLearner<L>?, what: String) -> SlowMemoryChange? {
        guard now.publications > 0 else { return nil }
        if let old, L.materialChange(from: old.published, to: now.published) <= 0.01 { return nil }
        var fields = ["contexts": "\(now.learner.contexts)", "segments": "\(now.learner.contributions)",
                      "publications": "\(now.publications)"]
        for (key, values) in L.entries(of: now.published) { fields[key] = values.map { "\($0)" }.joined(separator: " ") }
        return SlowMemoryChange(
            summary: "learned \(what) from \(now.learner.contexts) context(s), \(now.learner.contributions) segment(s)",
            fields: fields)
    }
}

/// A material move of one model's learned slow memory, for the journal: a one-line summary and its figures.
package struct SlowMemoryChange: Sendable, Equatable {
    package var summary: String
    package var fields: [String: String]
}
