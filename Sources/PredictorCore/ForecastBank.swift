/// The `auto` model: runs a bank of ``SeriesForecaster`` members per context and publishes their Bayesian model
/// average, each member weighted by the product of its own one-step predictive densities (with forgetting α); with a
/// horizon and `lead_weights`, lead j mixes by the members' own lead-j densities (predictive-likelihood weights per lead).
///
/// A member without a proper predictive yet (ν ≤ 2) scores an observation by the published mixture's density, so
/// all members are scored on the same observations. The published predictive is the mixture's mean and variance, as a Student-t with the
/// weight-averaged ν (docs/math.md, "Online model choice"); `leader` is the member of largest weight.
///
/// Members that differ only in `variance_discount` fit the same W, P and histories bit for bit, so they share one
/// forecaster and each keeps only its own noise scale (J, Σβ); their states are written out in full, as separate
/// members. Without `horizon` only: a horizon's variance needs each member's own noise in every step.
public struct ForecastBank: OnlinePredictor {
    public static let kind = "auto"

    public let parameters: ForecastBankParameters
    /// One forecaster per distinct regression.
    private var forecasters: [SeriesForecaster]
    /// For member m: its forecaster's index, and whether it is that forecaster's first member (whose noise scale
    /// the forecaster's own regression holds) rather than one that keeps its own in `noise[m]`.
    private let source: [Int], owns: [Bool]
    /// For member m that does not own its forecaster: its noise scale (unused otherwise).
    private var noise: [RLSPredictor.NoiseScale]
    private var logWeights: [Double]
    private var count: Int
    /// With lead weights: ``ForecastBankState/leadLogWeights`` and the past horizons they are scored against.
    private var leadLogWeights: [[Double]], pastMeans: [[Double]], pastVariances: [[Double]], pastDofs: [[Double]]
    /// Working buffer (not state): the weights of one lead's mixture.
    private var leadMixing: [Double] = []
    /// Working buffer (not state): each member's log density of the newest observation (NaN: none yet).
    private var scores: [Double] = []
    /// Working buffer (not state): one member's prediction.
    private var scratch = Prediction()
    private var means: [Double], variances: [Double], dofs: [Double]
    /// Each member's multi-step means and variances (empty rows without `horizon`).
    private var horizonMeans: [[Double]], horizonVariances: [[Double]]
    /// Working buffers (not state): each member's ν at which `densityConstants` was last computed (NaN: never),
    /// and the ν-only part of its log density there (``StudentT/logDensityConstant(dof:)``).
    private var densityDofs: [Double], densityConstants: [Double]
    /// Working buffer (not state): the weights the mixture uses (``updateMixing()``).
    private var mixing: [Double] = []
    /// Whether `means`, `variances` and `dofs` hold the members' published predictions of the next value
    /// (false until the first observation after creation, a restore or a reset). Not state.
    private var primed = false
    /// The mixture last published by ``observe(_:into:)``: while `primed` and without regressors it is also the
    /// prior of the next observation (same weights, same members' predictions), so it is not computed twice. Not state.
    private var lastMixture: (mean: Double, variance: Double, dof: Double, leader: Int)?

    public var state: ForecastBankState {
        let members = source.indices.map { m in
            owns[m] ? forecasters[source[m]].state : forecasters[source[m]].state(noise: noise[m])
        }
        return ForecastBankState(
            members: members, logWeights: logWeights, count: count, leadLogWeights: leadLogWeights,
            pastMeans: pastMeans, pastVariances: pastVariances, pastDofs: pastDofs)
    }

    /// Where the lead-(j+1) value of the publication of age a (0: the newest) is kept in a row of past horizons:
    /// age a holds the leads j = a…h−1, whose targets are still to come.
    static func pastIndex(age a: Int, lead j: Int, horizon h: Int) -> Int { a * h - a * (a - 1) / 2 + (j - a) }

    public init(parameters: ForecastBankParameters) {
        self.parameters = parameters
        let specs = parameters.members, n = specs.count
        var forecasters: [SeriesForecaster] = [], source: [Int] = [], owns: [Bool] = []
        for m in 0..<n {
            let shared = specs[0].horizon > 1
                ? nil : (0..<m).first { owns[$0] && specs[$0].sharesRegression(with: specs[m]) }
            if let first = shared {
                source.append(source[first])
                owns.append(false)
            } else {
                source.append(forecasters.count)
                owns.append(true)
                forecasters.append(SeriesForecaster(parameters: specs[m]))
            }
        }
        self.forecasters = forecasters
        self.source = source
        self.owns = owns
        noise = [RLSPredictor.NoiseScale](repeating: (0, 0), count: n)
        logWeights = [Double](repeating: 0, count: n)
        count = 0
        means = [Double](repeating: .nan, count: n)
        variances = means
        dofs = means
        densityDofs = means
        densityConstants = means
        horizonMeans = [[Double]](repeating: [], count: n)
        horizonVariances = horizonMeans
        let h = parameters.usesLeadWeights ? specs[0].horizon : 1
        leadLogWeights = h > 1 ? [[Double]](repeating: [Double](repeating: 0, count: n), count: h - 1) : []
        pastMeans = h > 1 ? [[Double]](repeating: [Double](repeating: .nan, count: h * (h + 1) / 2), count: n + 1) : []
        pastVariances = pastMeans
        pastDofs = h > 1 ? [[Double]](repeating: [Double](repeating: .nan, count: h), count: n + 1) : []
    }

    public init(parameters: ForecastBankParameters, state: ForecastBankState) throws(StateDecodingError) {
        guard state.members.count == parameters.members.count else {
            throw StateDecodingError("auto state has \(state.members.count) members; the model has \(parameters.members.count)")
        }
        self.init(parameters: parameters)
        for m in source.indices where owns[m] {
            forecasters[source[m]] = try SeriesForecaster(parameters: parameters.members[m], state: state.members[m])
        }
        for m in source.indices where !owns[m] {
            let own = state.members[m], scale = own.regression.noiseScale
            guard forecasters[source[m]].state(noise: scale) == own else {
                let first = source.indices.first { owns[$0] && source[$0] == source[m] } ?? m
                throw StateDecodingError(
                    "auto state: members \(first) and \(m) differ only in variance_discount, so their regressions must be identical, but they are not")
            }
            noise[m] = scale
        }
        logWeights = state.logWeights
        count = state.count
        // A horizon bank's checkpoint without lead data (written before lead weights existed) starts them afresh.
        if !state.leadLogWeights.isEmpty || !parameters.usesLeadWeights {
            guard state.leadLogWeights.count == leadLogWeights.count, state.pastMeans.count == pastMeans.count,
                  state.leadLogWeights.first?.count ?? 0 == leadLogWeights.first?.count ?? 0
            else {
                throw StateDecodingError(
                    "auto state has lead weights for horizon \(state.leadLogWeights.count + 1); the model's horizon is \(parameters.members[0].horizon)\(parameters.leadWeights ? "" : " without lead_weights")")
            }
            leadLogWeights = state.leadLogWeights
            pastMeans = state.pastMeans
            pastVariances = state.pastVariances
            pastDofs = state.pastDofs
        }
    }

    /// Normalised weights of lead j ∈ 1…h (without lead weights, and for lead 1: ``weights``).
    public func weights(lead j: Int) -> [Double] {
        guard j > 1, parameters.usesLeadWeights else { return weights }
        var w: [Double] = []
        Self.normalise(leadLogWeights[j - 2], into: &w)
        return w
    }

    /// Normalised weights wₘ (sum 1).
    public var weights: [Double] {
        var w: [Double] = []
        Self.normalise(logWeights, into: &w)
        return w
    }

    /// wₘ = exp(log wₘ − max) / Σ into `w`, reusing its storage.
    private static func normalise(_ logWeights: [Double], into w: inout [Double]) {
        let n = logWeights.count
        if w.count != n { w = [Double](repeating: 0, count: n) }
        let top = logWeights.max() ?? 0
        var total = 0.0
        for i in 0..<n { w[i] = Double.exp(logWeights[i] - top); total += w[i] }
        for i in 0..<n { w[i] /= total }
    }

    /// ``normalise(_:into:)`` restricted to the members `usable` accepts (the others get weight 0) and renormalised
    /// over them; false, with `w` all 0 there, when they have no weight.
    private static func normalise(_ logWeights: [Double], into w: inout [Double], over usable: (Int) -> Bool) -> Bool {
        normalise(logWeights, into: &w)
        var total = 0.0
        for i in w.indices {
            if !usable(i) { w[i] = 0 }
            total += w[i]
        }
        guard total > 0 else { return false }
        for i in w.indices { w[i] /= total }
        return true
    }

    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        let x: [Double], ys: [Double]
        switch observation {
        case let .series(v) where parameters.regressors == 0: x = []; ys = v
        case let .labelled(xv, v) where parameters.regressors > 0: x = xv; ys = v
        default:
            throw .wrongKind(model: Self.kind, expected: parameters.regressors == 0 ? "series" : "labelled", got: observation.kindName)
        }
        // Validated here, so no member can refuse it after another has learned.
        guard ys.count == 1 else { throw .wrongDimension(field: "y", expected: 1, got: ys.count) }
        let y = ys[0]
        guard y.isFinite, x.allSatisfy(\.isFinite) else { throw .nonFinite(field: y.isFinite ? "x" : "y") }
        guard x.count == parameters.regressors else {
            throw .wrongDimension(field: "x", expected: parameters.regressors, got: x.count)
        }
        // Every member's prior predictive of yₜ at xₜ: for a series, what each published after yₜ₋₁ (kept in
        // `means`…), else computed at xₜ.
        if !(parameters.regressors == 0 && primed) {
            for m in source.indices {
                let p = forecasters[source[m]].predictive(x: x, noise: owns[m] ? nil : noise[m])
                means[m] = p.mean; variances[m] = p.variance; dofs[m] = p.dof
            }
        }
        // The mixture published for yₜ.
        let published: (mean: Double, variance: Double, dof: Double, leader: Int)
        if parameters.regressors == 0, primed, let last = lastMixture {
            published = last
        } else {
            updateMixing()
            published = mixture(mixing)
        }
        let prior = published.mean
        // A member scores yₜ by its own predictive density; one still warming up (no proper predictive) scores it
        // by the published mixture's, so warm-up neither rewards nor penalises it. No update without a mixture.
        let mixtureProper = published.variance.isFinite && published.dof > 2
        let mixtureLog = mixtureProper
            ? StudentT.logDensity(y, mean: prior, scale: Self.scale(published.variance, published.dof), dof: published.dof) : 0
        if scores.count != source.count { scores = [Double](repeating: .nan, count: source.count) }
        for i in source.indices {
            let nu = dofs[i]
            guard variances[i].isFinite && nu > 2 else { scores[i] = mixtureProper ? mixtureLog : .nan; continue }
            if !(nu == densityDofs[i]) {
                densityDofs[i] = nu
                densityConstants[i] = nu == .infinity ? 0 : StudentT.logDensityConstant(dof: nu)
            }
            scores[i] = StudentT.logDensity(
                y, mean: means[i], scale: Self.scale(variances[i], nu), dof: nu, constant: densityConstants[i])
        }
        Self.accumulate(scores, into: &logWeights, forgetting: parameters.forgetting)
        if parameters.members[0].horizon > 1 {
            if parameters.usesLeadWeights { scoreLeads(y) }
            // With horizons every member owns its forecaster (see the type's comment).
            for m in source.indices {
                try forecasters[source[m]].observe(observation, into: &scratch)
                keep(m)
            }
        } else {
            // No horizons to keep: each regression learns once, without a Prediction; members sharing it update
            // their own noise scale from its step.
            for f in forecasters.indices { _ = forecasters[f].learn(y, x: x) }
            for m in source.indices {
                let f = source[m]
                var scale: RLSPredictor.NoiseScale?
                if !owns[m] {
                    if let update = forecasters[f].lastUpdate {
                        let spec = parameters.members[m]
                        noise[m] = RLSPredictor.discounted(noise[m], by: spec.varianceDiscount, lambda: spec.lambda, after: update)
                    }
                    scale = noise[m]
                }
                let p = forecasters[f].next(noise: scale)
                means[m] = p.mean; variances[m] = p.variance; dofs[m] = p.dof
            }
        }
        primed = true
        count += 1
        lastMixture = publish(into: &prediction)
        prediction.error[0] = y - prior
        if parameters.usesLeadWeights { rememberHorizons(prediction) }
    }

    /// Lead j ∈ 2…h: log wₘ⁽ʲ⁾ ← α·log wₘ⁽ʲ⁾ + log pₘ⁽ʲ⁾(yₜ), pₘ⁽ʲ⁾ member m's own lead-j density of yₜ published
    /// j steps ago (the published mixture's while m had none), as the one-step weights (docs/math.md, "Horizons").
    private mutating func scoreLeads(_ y: Double) {
        let h = parameters.members[0].horizon, n = source.count
        for j in 2...h {
            let age = j - 1, k = Self.pastIndex(age: age, lead: j - 1, horizon: h)
            func logDensity(_ r: Int) -> Double? {
                let mu = pastMeans[r][k], v = pastVariances[r][k], nu = pastDofs[r][age]
                guard mu.isFinite, v.isFinite, nu > 2 else { return nil }
                return StudentT.logDensity(y, mean: mu, scale: Self.scale(v, nu), dof: nu)
            }
            let mixture = logDensity(n)
            for i in 0..<n { scores[i] = logDensity(i) ?? mixture ?? .nan }
            Self.accumulate(scores, into: &leadLogWeights[j - 2], forgetting: parameters.forgetting)
        }
    }

    /// log wᵢ ← α·log wᵢ + scoreᵢ for every member with a score (NaN: none yet), then shifted so that the largest is
    /// 0; left alone when no member has a score.
    private static func accumulate(_ scores: [Double], into logWeights: inout [Double], forgetting alpha: Double) {
        var updated = false
        for i in logWeights.indices where !scores[i].isNaN {
            logWeights[i] = alpha * logWeights[i] + scores[i]
            updated = true
        }
        guard updated else { return }
        let top = logWeights.max() ?? 0
        for i in logWeights.indices { logWeights[i] -= top }
    }

    /// Ages the past horizons by one publication and records the members' new ones and the published mixture's.
    private mutating func rememberHorizons(_ published: Prediction) {
        let h = parameters.members[0].horizon, n = source.count
        for r in 0...n {
            for a in stride(from: h - 1, through: 1, by: -1) {
                for j in a..<h {
                    let to = Self.pastIndex(age: a, lead: j, horizon: h), from = Self.pastIndex(age: a - 1, lead: j, horizon: h)
                    pastMeans[r][to] = pastMeans[r][from]
                    pastVariances[r][to] = pastVariances[r][from]
                }
                pastDofs[r][a] = pastDofs[r][a - 1]
            }
            let means = r < n ? horizonMeans[r] : published.horizonMean
            let variances = r < n ? horizonVariances[r] : published.horizonVariance
            for j in 0..<h {
                pastMeans[r][j] = means.count == h ? means[j] : .nan
                pastVariances[r][j] = variances.count == h ? variances[j] : .nan
            }
            pastDofs[r][0] = r < n ? dofs[r] : published.dof
        }
    }

    /// Records member i's prediction, just written into `scratch`.
    private mutating func keep(_ i: Int) {
        means[i] = scratch.mean[0]; variances[i] = scratch.variance[0]; dofs[i] = scratch.dof
        horizonMeans[i] = scratch.horizonMean; horizonVariances[i] = scratch.horizonVariance
    }

    /// Records member i's one-step predictive `p` (a member sharing a forecaster has no horizon).
    private mutating func keep(_ i: Int, _ p: SeriesForecaster.Moments) {
        means[i] = p.mean; variances[i] = p.variance; dofs[i] = p.dof
        horizonMeans[i] = []; horizonVariances[i] = []
    }

    /// The Student-t scale of a predictive with variance `v` and ν > 2.
    static func scale(_ v: Double, _ nu: Double) -> Double { nu == .infinity ? v.squareRoot() : (v * (nu - 2) / nu).squareRoot() }

    /// Writes into `mixing` the weights the mixture uses: ``weights`` renormalised over the members with a proper
    /// predictive (finite variance, ν > 2), or, when none has one, uniform over the differenced members with a mean.
    private mutating func updateMixing() {
        let variances = variances, dofs = dofs
        if Self.normalise(logWeights, into: &mixing, over: { variances[$0].isFinite && dofs[$0] > 2 }) { return }
        let n = mixing.count
        // Before any member is proper, the differenced members (whose unlearned forecast is the last or the
        // seasonal value) rather than the undifferenced ones (whose unlearned forecast is the prior 0).
        var usable = 0, differenced = 0
        for i in 0..<n where means[i].isFinite {
            usable += 1
            if parameters.members[i].differencingOrder > 0 { differenced += 1 }
        }
        let onlyDifferenced = differenced > 0
        let share = 1 / Double(onlyDifferenced ? differenced : usable)
        for i in 0..<n {
            let use = means[i].isFinite && (!onlyDifferenced || parameters.members[i].differencingOrder > 0)
            mixing[i] = use ? share : 0
        }
    }

    /// The mixture of the members' current `means`/`variances`/`dofs` under `w` (``updateMixing()``): its mean
    /// (NaN while no member has one), variance, weight-averaged ν, and the member of largest weight.
    private func mixture(_ w: [Double]) -> (mean: Double, variance: Double, dof: Double, leader: Int) {
        var mean = 0.0, second = 0.0, nu = 0.0, leader = 0
        for i in source.indices where w[i] > 0 {
            mean += w[i] * means[i]
            second += w[i] * (variances[i] + means[i] * means[i])
            nu += w[i] * dofs[i]
            if w[i] > w[leader] { leader = i }
        }
        let variance = second - mean * mean
        return (w.contains(where: { $0 > 0 }) ? mean : .nan, variance.isFinite ? max(variance, 0) : .nan,
                nu.isFinite ? nu : .nan, leader)
    }

    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        var copy = self
        for m in source.indices {
            if owns[m] {
                try forecasters[source[m]].predict(query: x, into: &copy.scratch)
                copy.keep(m)
            } else {
                // x was checked by the owner, an earlier member.
                let p = copy.forecasters[source[m]].predictive(x: x, noise: noise[m])
                copy.keep(m, p)
            }
        }
        copy.publish(into: &prediction)
    }

    public func currentPrediction(into prediction: inout Prediction) {
        var copy = self
        for m in source.indices {
            if owns[m] {
                forecasters[source[m]].currentPrediction(into: &copy.scratch)
                copy.keep(m)
            } else {
                let p = copy.forecasters[source[m]].next(noise: noise[m])
                copy.keep(m, p)
            }
        }
        copy.publish(into: &prediction)
    }

    public mutating func reset() {
        for f in forecasters.indices { forecasters[f].reset() }
        for m in noise.indices { noise[m] = (0, 0) }
        for i in logWeights.indices { logWeights[i] = 0 }
        for j in leadLogWeights.indices { for i in leadLogWeights[j].indices { leadLogWeights[j][i] = 0 } }
        for r in pastMeans.indices {
            for k in pastMeans[r].indices { pastMeans[r][k] = .nan; pastVariances[r][k] = .nan }
            for a in pastDofs[r].indices { pastDofs[r][a] = .nan }
        }
        count = 0
        primed = false
        lastMixture = nil
    }

    /// Writes the mixture of the members' `means`/`variances`/`dofs` into `prediction`, and returns it.
    @discardableResult
    private mutating func publish(into prediction: inout Prediction) -> (mean: Double, variance: Double, dof: Double, leader: Int) {
        prediction.kind = .real
        if prediction.mean.count != 1 { prediction.mean = [.nan] }
        if prediction.variance.count != 1 { prediction.variance = [.nan] }
        if prediction.error.count != 1 { prediction.error = [.nan] }
        if !prediction.probabilities.isEmpty { prediction.probabilities.removeAll(keepingCapacity: true) }
        prediction.surprise = .nan
        prediction.count = count
        prediction.error[0] = .nan
        // Members without a proper predictive yet (warm-up, ν ≤ 2) are left out while any member has one;
        // with none, the members' means are averaged (uniformly) and no variance is published.
        updateMixing()
        let w = mixing
        let m = mixture(w)
        prediction.mean[0] = m.mean
        prediction.variance[0] = m.variance
        prediction.dof = m.dof
        prediction.leader = m.leader
        prediction.leaderWeight = w[m.leader]
        let h = parameters.members[0].horizon
        guard h > 1 else { return m }
        prediction.horizonMean = [Double](repeating: 0, count: h)
        prediction.horizonVariance = [Double](repeating: 0, count: h)
        let horizonMeans = horizonMeans, horizonVariances = horizonVariances, dofs = dofs
        for j in 0..<h {
            // Lead 1 is the one-step mixture; lead j + 1 mixes by its own weights over the members with a proper
            // lead-(j + 1) predictive (the one-step weights while none has one).
            let own = j > 0 && parameters.usesLeadWeights && Self.normalise(leadLogWeights[j - 1], into: &leadMixing) {
                horizonMeans[$0].count == h && horizonMeans[$0][j].isFinite && horizonVariances[$0][j].isFinite && dofs[$0] > 2
            }
            var m = 0.0, second = 0.0
            for i in source.indices {
                let wi = own ? leadMixing[i] : w[i]
                guard wi > 0 else { continue }
                let mi = horizonMeans[i].count == h ? horizonMeans[i][j] : .nan
                let vi = horizonVariances[i].count == h ? horizonVariances[i][j] : .nan
                m += wi * mi
                second += wi * (vi + mi * mi)
            }
            prediction.horizonMean[j] = m
            let v = second - m * m
            prediction.horizonVariance[j] = v.isFinite ? max(v, 0) : .nan
        }
        return m
    }
}
