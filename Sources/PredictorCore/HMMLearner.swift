/// Slow memory of an HMM model learned across contexts by stepwise online EM (math.md §4, "Learning").
///
/// Each ``HMMSegment`` is smoothed by forward–backward under the current parameters and its expected counts s are
/// blended in, S ← (1 − η_k) S + η_k s with η_k = (k + k₀)^(−κ) for the k-th segment (κ ∈ (0.5, 1]); the
/// M-step is a row normalisation. S starts as one segment's worth of pseudo-counts of the configured model.
public struct HMMLearner: OnlineHMMLearner {
    /// Hidden states d.
    public let states: Int
    /// Alphabet size m.
    public let symbols: Int
    /// Step-size offset k₀ ≥ 0: larger values damp the first steps.
    public let offset: Double
    /// Step-size exponent κ ∈ (0.5, 1]: 1 is a running mean; smaller forgets early (worse) estimates faster.
    public let exponent: Double
    /// The value map f, carried unchanged into the learned parameters.
    public let values: [Double]
    /// Running averages of the expected counts (μ counts only from context-start segments).
    public private(set) var statistics: HMMSufficientStatistics
    /// Segments absorbed (k).
    public private(set) var contributions: Int
    /// Context-start segments absorbed: the number of context beginnings μ was learned from.
    public private(set) var contexts: Int

    public static let defaultOffset = 2.0
    public static let defaultExponent = 0.6
    /// Default ε of ``parameters(smoothing:)``: each row is mixed with the uniform row at weight ε/(1 + ε).
    public static let defaultSmoothing = 1e-6
    /// Default segment length L the configured model's pseudo-counts are scaled to.
    public static let defaultSegmentLength = 64

    /// Starts from the configured (possibly wrong) model, worth one segment of `segmentLength` symbols spread
    /// evenly over the states; the configured μ stands until a context-start segment is absorbed.
    public init(initial model: HMMParameters, offset: Double = defaultOffset, exponent: Double = defaultExponent,
                segmentLength: Int = defaultSegmentLength) throws(ParameterError) {
        guard offset.isFinite, offset >= 0 else {
            throw ParameterError("learn_offset", "must be a finite number ≥ 0, got \(offset)")
        }
        guard exponent > 0.5, exponent <= 1 else {
            throw ParameterError("learn_exponent", "must be in (0.5, 1], got \(exponent)")
        }
        guard segmentLength >= 1, segmentLength <= HMMSegmentCollector.maxLength else {
            throw ParameterError("learn_segment",
                                 "must be an integer in 1...\(HMMSegmentCollector.maxLength), got \(segmentLength)")
        }
        let d = Double(model.states), L = Double(segmentLength)
        states = model.states
        symbols = model.symbols
        self.offset = offset
        self.exponent = exponent
        values = model.values
        statistics = HMMSufficientStatistics(model: model, transitionWeight: (L - 1) / d, emissionWeight: L / d)
        contributions = 0
        contexts = 0
    }

    /// η_k = (k + k₀)^(−κ), the weight of the k-th contribution (k ≥ 1); at most 1.
    public func stepSize(_ k: Int) -> Double {
        min(1, Double.pow(Double(k) + offset, -exponent))
    }

    /// E-step on the segment under `parameters` (normally the current ``parameters(smoothing:)``), then the blend.
    ///
    /// The prior of the segment's first state is `segment.start`, or μ of `parameters` for a context-start segment
    /// (as in batch EM). Returns false, changing nothing, for an empty or malformed segment or one of probability 0.
    @discardableResult
    public mutating func absorb(_ segment: HMMSegment, using parameters: HMMParameters) -> Bool {
        guard parameters.states == states, parameters.symbols == symbols else { return false }
        let prior = segment.startsContext ? parameters.initial : segment.start
        guard let posterior = HMMSegmentPosterior(prior: prior, symbols: segment.symbols, parameters: parameters)
        else { return false }
        let s = posterior.statistics()
        let all = s.transition + s.emission + s.initial
        guard all.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return false }
        contributions += 1
        statistics.blendCounts(toward: s, weight: stepSize(contributions))
        if segment.startsContext {
            contexts += 1
            statistics.blendInitial(toward: s, weight: stepSize(contexts))
        }
        return true
    }

    /// The M-step: every row of the counts, and μ's counts, normalised after mixing with the uniform row at weight
    /// ε/(1 + ε), so no probability is 0 (a row without counts becomes uniform). Throws unless ε is finite and > 0.
    public func parameters(smoothing epsilon: Double = defaultSmoothing) throws(ParameterError) -> HMMParameters {
        guard epsilon.isFinite, epsilon > 0 else {
            throw ParameterError("learn_smoothing", "must be a finite number > 0, got \(epsilon)")
        }
        let d = states, m = symbols
        var a = statistics.transition, c = statistics.emission, mu = statistics.initial
        for x in 0..<d { Self.smoothRow(&a, from: x * d, count: d, epsilon: epsilon) }
        for x in 0..<d { Self.smoothRow(&c, from: x * m, count: m, epsilon: epsilon) }
        Self.smoothRow(&mu, from: 0, count: d, epsilon: epsilon)
        return try HMMParameters(states: d, symbols: m, transition: a, emission: c, initial: mu, values: values)
    }

    /// The learner continues under a model with the same states, symbols and symbol values.
    public func fits(_ model: HMMParameters) -> Bool {
        states == model.states && symbols == model.symbols && values == model.values
    }

    public static func initialMeasure(of model: HMMParameters) -> [Double] { model.initial }

    public static func accepts(_ symbol: Int, under model: HMMParameters) -> Bool { symbol >= 0 && symbol < model.symbols }

    public static func entries(of model: HMMParameters) -> [(key: String, values: [Double])] {
        [("transition", model.transition), ("emission", model.emission), ("initial", model.initial)]
    }

    /// p_j = (r_j / R + ε / n) / (1 + ε), then divided by its computed sum; uniform when R is 0 or not finite.
    static func smoothRow(_ v: inout [Double], from start: Int, count n: Int, epsilon: Double) {
        var total = 0.0
        for j in start..<(start + n) { total += v[j] }
        guard total > 0, total.isFinite else {
            for j in start..<(start + n) { v[j] = 1 / Double(n) }
            return
        }
        let floor = epsilon / Double(n), scale = 1 / total
        var sum = 0.0
        for j in start..<(start + n) {
            v[j] = v[j] * scale + floor
            sum += v[j]
        }
        let norm = 1 / sum
        for j in start..<(start + n) { v[j] *= norm }
    }

    /// Largest absolute difference between the entries of A, C and μ of two models (∞ if their shapes differ).
    public static func materialChange(from old: HMMParameters, to new: HMMParameters) -> Double {
        guard old.states == new.states, old.symbols == new.symbols else { return .infinity }
        var worst = 0.0
        for (p, q) in [(old.transition, new.transition), (old.emission, new.emission), (old.initial, new.initial)] {
            for (u, v) in zip(p, q) {
                let e = abs(u - v)
                worst = e.isNaN ? .infinity : max(worst, e)
            }
        }
        return worst
    }

    public func encode(to writer: inout ByteWriter) {
        StepSchedule.write(offset: offset, exponent: exponent, contributions: contributions, contexts: contexts, to: &writer)
        writer.write(values)
        statistics.encode(to: &writer)
    }

    /// Decodes and re-validates (step-size constants, counters, shapes, finite non-negative counts).
    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        (offset, exponent, contributions, contexts) = try StepSchedule.read(from: &reader, learner: "HMM learner")
        values = try reader.readDoubles()
        guard values.allSatisfy({ $0.isFinite }) else { throw StateDecodingError("HMM learner values not finite") }
        statistics = try HMMSufficientStatistics(from: &reader)
        states = statistics.states
        symbols = statistics.symbols
        guard values.count == symbols else {
            throw StateDecodingError("HMM learner has \(values.count) values for \(symbols) symbols")
        }
    }
}
