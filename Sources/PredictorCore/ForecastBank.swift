/// The `auto` model: runs a bank of ``SeriesForecaster`` members per context and publishes their Bayesian model
/// average, each member weighted by the product of its own one-step predictive densities (with forgetting α).
///
/// The weights are updated only at steps where every member has a proper predictive (ν > 2), so all are scored
/// on the same observations. The published predictive is the mixture's mean and variance, as a Student-t with the
/// weight-averaged ν (math.md §2.6); `leader` is the member of largest weight.
public struct ForecastBank: OnlinePredictor {
    public static let kind = "auto"

    public let parameters: ForecastBankParameters
    private var members: [SeriesForecaster]
    private var logWeights: [Double]
    private var count: Int
    /// Working buffer (not state): one member's prediction.
    private var scratch = Prediction()
    private var means: [Double], variances: [Double], dofs: [Double]

    public var state: ForecastBankState {
        ForecastBankState(members: members.map(\.state), logWeights: logWeights, count: count)
    }

    public init(parameters: ForecastBankParameters) {
        self.parameters = parameters
        members = parameters.members.map(SeriesForecaster.init(parameters:))
        let n = members.count
        logWeights = [Double](repeating: 0, count: n)
        count = 0
        means = [Double](repeating: .nan, count: n)
        variances = means
        dofs = means
    }

    public init(parameters: ForecastBankParameters, state: ForecastBankState) throws(StateDecodingError) {
        guard state.members.count == parameters.members.count else {
            throw StateDecodingError("auto state has \(state.members.count) members; the model has \(parameters.members.count)")
        }
        self.init(parameters: parameters)
        for i in members.indices {
            members[i] = try SeriesForecaster(parameters: parameters.members[i], state: state.members[i])
        }
        logWeights = state.logWeights
        count = state.count
    }

    /// Normalised weights wₘ (sum 1).
    public var weights: [Double] {
        let top = logWeights.max() ?? 0
        let w = logWeights.map { Double.exp($0 - top) }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        let x: [Double], y: Double
        switch observation {
        case let .series(v) where parameters.regressors == 0: x = []; y = v.first ?? .nan
        case let .labelled(xv, v) where parameters.regressors > 0: x = xv; y = v.first ?? .nan
        default:
            throw .wrongKind(model: Self.kind, expected: parameters.regressors == 0 ? "series" : "labelled", got: observation.kindName)
        }
        // Validates (and refuses, changing nothing) through the first member before any member learns.
        var first = members[0]
        try first.observe(observation, into: &scratch)
        // Every member's prior predictive of yₜ at xₜ, then the weight update where all are proper.
        var all = true
        for i in members.indices {
            let p = i == 0 ? priorOfFirst(x: x) : members[i].predictive(x: x)
            means[i] = p.mean; variances[i] = p.variance; dofs[i] = p.dof
            if !(p.variance.isFinite && p.dof > 2) { all = false }
        }
        // The mixture mean before the update: what was published for yₜ.
        let prior = mixture()
        if all {
            let alpha = parameters.forgetting
            var top = -Double.infinity
            for i in members.indices {
                let scale = (variances[i] * (dofs[i] - 2) / dofs[i]).squareRoot()
                logWeights[i] = alpha * logWeights[i] + StudentT.logDensity(y, mean: means[i], scale: scale, dof: dofs[i])
                top = max(top, logWeights[i])
            }
            for i in members.indices { logWeights[i] -= top }
        }
        members[0] = first
        means[0] = scratch.mean[0]; variances[0] = scratch.variance[0]; dofs[0] = scratch.dof
        for i in members.indices.dropFirst() {
            try members[i].observe(observation, into: &scratch)
            means[i] = scratch.mean[0]; variances[i] = scratch.variance[0]; dofs[i] = scratch.dof
        }
        count += 1
        publish(into: &prediction)
        prediction.error[0] = y - prior
    }

    /// The first member's prior predictive, from its state before this step (it has already been stepped on a copy).
    private func priorOfFirst(x: [Double]) -> (mean: Double, variance: Double, dof: Double) {
        members[0].predictive(x: x)
    }

    /// Mixture mean of the members' current `means` under the current weights.
    private func mixture() -> Double {
        let w = weights
        var mean = 0.0
        for i in members.indices { mean += w[i] * means[i] }
        return mean
    }

    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        var copy = self
        for i in members.indices {
            try members[i].predict(query: x, into: &copy.scratch)
            copy.means[i] = copy.scratch.mean[0]; copy.variances[i] = copy.scratch.variance[0]; copy.dofs[i] = copy.scratch.dof
        }
        copy.publish(into: &prediction)
    }

    public func currentPrediction(into prediction: inout Prediction) {
        var copy = self
        for i in members.indices {
            members[i].currentPrediction(into: &copy.scratch)
            copy.means[i] = copy.scratch.mean[0]; copy.variances[i] = copy.scratch.variance[0]; copy.dofs[i] = copy.scratch.dof
        }
        copy.publish(into: &prediction)
    }

    public mutating func reset() {
        for i in members.indices { members[i].reset() }
        for i in logWeights.indices { logWeights[i] = 0 }
        count = 0
    }

    /// Writes the mixture of the members' `means`/`variances`/`dofs` into `prediction`.
    private func publish(into prediction: inout Prediction) {
        prediction.kind = .real
        if prediction.mean.count != 1 { prediction.mean = [.nan] }
        if prediction.variance.count != 1 { prediction.variance = [.nan] }
        if prediction.error.count != 1 { prediction.error = [.nan] }
        if !prediction.probabilities.isEmpty { prediction.probabilities.removeAll(keepingCapacity: true) }
        prediction.surprise = .nan
        prediction.count = count
        prediction.error[0] = .nan
        let w = weights
        var mean = 0.0, second = 0.0, nu = 0.0, leader = 0
        for i in members.indices {
            mean += w[i] * means[i]
            second += w[i] * (variances[i] + means[i] * means[i])
            nu += w[i] * dofs[i]
            if w[i] > w[leader] { leader = i }
        }
        prediction.mean[0] = mean
        let variance = second - mean * mean
        prediction.variance[0] = variance.isFinite ? max(variance, 0) : .nan
        prediction.dof = nu.isFinite ? nu : .nan
        prediction.leader = leader
        prediction.leaderWeight = w[leader]
    }
}
