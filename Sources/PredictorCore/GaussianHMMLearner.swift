import RealModule

/// Stepwise online EM for a Gaussian-emission HMM (A, μ, means, variances), the same schedule as ``HMMLearner``:
/// each segment of values is smoothed by forward–backward under the current estimate and its expected statistics s
/// are blended in, S ← (1 − η_k) S + η_k s, η_k = (k + k₀)^(−κ); the M-step is mₓ = Σγy/Σγ, vₓ = Σγy²/Σγ − mₓ².
/// The engine runs it for `learn: true` on Gaussian `forward` and `dual` models (``OnlineHMMLearner``).
public struct GaussianHMMLearner: OnlineHMMLearner {
    public let states: Int
    public let offset: Double
    public let exponent: Double
    /// Smallest learned variance: 10⁻³ of the smallest configured one (a state that explains one value exactly
    /// would otherwise collapse to variance 0).
    public let varianceFloor: Double
    /// Running expected statistics: γ₀ (context starts only), Σξ (d×d), Σγ, Σγy, Σγy² per state.
    public private(set) var initial: [Double]
    public private(set) var transition: [Double]
    public private(set) var weight: [Double]
    public private(set) var first: [Double]
    public private(set) var second: [Double]
    public private(set) var contributions: Int
    public private(set) var contexts: Int

    /// Starts from the configured model, worth one segment of `segmentLength` values spread evenly over the states.
    public init(initial model: GaussianHMMParameters, offset: Double = HMMLearner.defaultOffset,
                exponent: Double = HMMLearner.defaultExponent,
                segmentLength: Int = HMMLearner.defaultSegmentLength) throws(ParameterError) {
        guard offset.isFinite, offset >= 0 else { throw ParameterError("learn_offset", "must be a finite number ≥ 0, got \(offset)") }
        guard exponent > 0.5, exponent <= 1 else { throw ParameterError("learn_exponent", "must be in (0.5, 1], got \(exponent)") }
        guard segmentLength >= 1, segmentLength <= GaussianSegmentCollector.maxLength else {
            throw ParameterError("learn_segment", "must be an integer in 1...\(GaussianSegmentCollector.maxLength), got \(segmentLength)")
        }
        let d = model.states, L = Double(segmentLength)
        states = d
        self.offset = offset
        self.exponent = exponent
        varianceFloor = 1e-3 * model.variances.min()!
        contributions = 0
        contexts = 0
        initial = model.initial
        transition = model.transition.map { $0 * (L - 1) / Double(d) }
        weight = [Double](repeating: L / Double(d), count: d)
        first = (0..<d).map { L / Double(d) * model.means[$0] }
        second = (0..<d).map { L / Double(d) * (model.variances[$0] + model.means[$0] * model.means[$0]) }
    }

    public func stepSize(_ k: Int) -> Double { min(1, Double.pow(Double(k) + offset, -exponent)) }

    /// E-step on a segment (``absorb(_:start:using:)``, from μ when it starts a context).
    @discardableResult
    public mutating func absorb(_ segment: GaussianSegment, using parameters: GaussianHMMParameters) -> Bool {
        absorb(segment.observations, start: segment.startsContext ? nil : segment.start, using: parameters)
    }

    /// E-step on `values` under `parameters` from the hidden-state law `start` (nil: a segment that starts a
    /// context, from μ, which then also teaches μ), then the blend. Returns false, changing nothing, when the
    /// segment is empty or has density 0.
    @discardableResult
    public mutating func absorb(_ values: [Double], start: [Double]?, using parameters: GaussianHMMParameters) -> Bool {
        let d = states, T = values.count
        guard parameters.states == d, T >= 1, values.allSatisfy(\.isFinite) else { return false }
        var likelihoods = [Double](repeating: 0, count: T * d)
        likelihoods.withUnsafeMutableBufferPointer { l in
            for t in 0..<T { _ = parameters.scaledLikelihood(values[t], scale: 1, into: l.baseAddress! + t * d) }
        }
        guard likelihoods.allSatisfy(\.isFinite),
              let posterior = HMMSegmentPosterior(prior: start ?? parameters.initial, likelihoods: likelihoods,
                                                  transition: parameters.transition, states: d)
        else { return false }
        var xi = [Double](repeating: 0, count: d * d)
        var w = [Double](repeating: 0, count: d), s1 = w, s2 = w
        for t in 0..<T {
            let gamma = posterior.smoothed(at: t)
            for x in 0..<d {
                w[x] += gamma[x]
                s1[x] += gamma[x] * values[t]
                s2[x] += gamma[x] * values[t] * values[t]
            }
            if t + 1 < T { posterior.accumulatePairwise(at: t, into: &xi) }
        }
        contributions += 1
        let eta = stepSize(contributions)
        func blend(_ s: inout [Double], _ target: [Double]) { for i in s.indices { s[i] = (1 - eta) * s[i] + eta * target[i] } }
        blend(&transition, xi)
        blend(&weight, w)
        blend(&first, s1)
        blend(&second, s2)
        if start == nil {
            contexts += 1
            let etaContext = stepSize(contexts)
            let gamma0 = posterior.smoothed(at: 0)
            for x in 0..<d { initial[x] = (1 - etaContext) * initial[x] + etaContext * gamma0[x] }
        }
        return true
    }

    /// The M-step, rows of A and μ smoothed with the uniform row at weight ε/(1 + ε) (as ``HMMLearner``).
    public func parameters(smoothing epsilon: Double = HMMLearner.defaultSmoothing) throws(ParameterError) -> GaussianHMMParameters {
        guard epsilon.isFinite, epsilon > 0 else {
            throw ParameterError("learn_smoothing", "must be a finite number > 0, got \(epsilon)")
        }
        let d = states
        var a = transition, mu = initial
        for x in 0..<d { HMMLearner.smoothRow(&a, from: x * d, count: d, epsilon: epsilon) }
        HMMLearner.smoothRow(&mu, from: 0, count: d, epsilon: epsilon)
        var means = [Double](repeating: 0, count: d), variances = [Double](repeating: varianceFloor, count: d)
        for x in 0..<d where weight[x] > 0 {
            means[x] = first[x] / weight[x]
            variances[x] = max(second[x] / weight[x] - means[x] * means[x], varianceFloor)
        }
        return try GaussianHMMParameters(transition: a, initial: mu, means: means, variances: variances)
    }
}

extension GaussianHMMLearner {
    /// The learner continues under a model with the same number of states.
    public func fits(_ model: GaussianHMMParameters) -> Bool { states == model.states }

    public static func initialMeasure(of model: GaussianHMMParameters) -> [Double] { model.initial }

    public static func accepts(_ value: Double, under model: GaussianHMMParameters) -> Bool { value.isFinite }

    /// The largest move of an entry of A or μ, or of a mean or variance relative to max(1, |old value|).
    public static func materialChange(from old: GaussianHMMParameters, to new: GaussianHMMParameters) -> Double {
        guard old.states == new.states else { return .infinity }
        var worst = 0.0
        for (p, q, relative) in [(old.transition, new.transition, false), (old.initial, new.initial, false),
                                 (old.means, new.means, true), (old.variances, new.variances, true)] {
            for (u, v) in zip(p, q) {
                let e = abs(u - v) / (relative ? max(1, abs(u)) : 1)
                worst = e.isNaN ? .infinity : max(worst, e)
            }
        }
        return worst
    }

    public static func entries(of model: GaussianHMMParameters) -> [(key: String, values: [Double])] {
        [("transition", model.transition), ("initial", model.initial), ("means", model.means), ("variances", model.variances)]
    }
}

extension GaussianHMMLearner: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        StepSchedule.write(offset: offset, exponent: exponent, contributions: contributions, contexts: contexts, to: &writer)
        writer.write(varianceFloor)
        for v in [initial, transition, weight, first, second] { writer.write(v) }
    }

    /// Decodes and re-validates (step-size constants, counters, shapes, finite statistics, non-negative weights).
    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        (offset, exponent, contributions, contexts) = try StepSchedule.read(from: &reader, learner: "Gaussian HMM learner")
        varianceFloor = try reader.readDouble()
        guard varianceFloor.isFinite, varianceFloor > 0 else {
            throw StateDecodingError("Gaussian HMM learner variance floor \(varianceFloor) is not a finite number > 0")
        }
        initial = try reader.readDoubles()
        let d = initial.count
        guard d >= 1, d <= HMMParameters.maxStates else { throw StateDecodingError("Gaussian HMM learner has \(d) states") }
        states = d
        transition = try reader.readDoubles(expectedCount: d * d)
        weight = try reader.readDoubles(expectedCount: d)
        first = try reader.readDoubles(expectedCount: d)
        second = try reader.readDoubles(expectedCount: d)
        for v in [initial, transition, weight, second] where !v.allSatisfy({ $0.isFinite && $0 >= 0 }) {
            throw StateDecodingError("Gaussian HMM learner statistics hold a negative or non-finite entry")
        }
        guard first.allSatisfy(\.isFinite) else { throw StateDecodingError("Gaussian HMM learner statistics not finite") }
    }
}
