/// Expected sufficient statistics of an HMM (EM's E-step output): initial-state counts (d), transition counts
/// (d×d) and emission counts (d×m), all finite and ≥ 0.
public struct HMMSufficientStatistics: Sendable, Equatable, BinaryCodable {
    /// Hidden states d.
    public let states: Int
    /// Alphabet size m.
    public let symbols: Int
    /// Expected count of X_0 = x.
    public internal(set) var initial: [Double]
    /// Expected count of transitions x → y, row-major.
    public internal(set) var transition: [Double]
    /// Expected count of state x emitting z, row-major.
    public internal(set) var emission: [Double]

    /// All-zero statistics.
    public init(states: Int, symbols: Int) {
        self.states = states
        self.symbols = symbols
        initial = [Double](repeating: 0, count: states)
        transition = [Double](repeating: 0, count: states * states)
        emission = [Double](repeating: 0, count: states * symbols)
    }

    /// Pseudo-counts of the model itself: μ, and A and C rows weighted equally with `weight` per state.
    init(model: HMMParameters, transitionWeight: Double, emissionWeight: Double) {
        states = model.states
        symbols = model.symbols
        initial = model.initial
        transition = model.transition.map { $0 * transitionWeight }
        emission = model.emission.map { $0 * emissionWeight }
    }

    /// S ← (1 − η) S + η s for the transition and emission counts (η in [0, 1]).
    mutating func blendCounts(toward s: HMMSufficientStatistics, weight eta: Double) {
        let keep = 1 - eta
        for i in transition.indices { transition[i] = keep * transition[i] + eta * s.transition[i] }
        for i in emission.indices { emission[i] = keep * emission[i] + eta * s.emission[i] }
    }

    /// S_μ ← (1 − η) S_μ + η s_μ.
    mutating func blendInitial(toward s: HMMSufficientStatistics, weight eta: Double) {
        let keep = 1 - eta
        for i in initial.indices { initial[i] = keep * initial[i] + eta * s.initial[i] }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(states)
        writer.write(symbols)
        writer.write(initial)
        writer.write(transition)
        writer.write(emission)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let d = try reader.readInt(), m = try reader.readInt()
        guard d >= 1, d <= HMMParameters.maxStates, m >= 1, m <= HMMParameters.maxSymbols else {
            throw StateDecodingError("HMM statistics shape \(d)×\(m) out of range")
        }
        states = d
        symbols = m
        initial = try reader.readDoubles(expectedCount: d)
        transition = try reader.readDoubles(expectedCount: d * d)
        emission = try reader.readDoubles(expectedCount: d * m)
        for v in [initial, transition, emission] where !v.allSatisfy({ $0.isFinite && $0 >= 0 }) {
            throw StateDecodingError("HMM statistics hold a negative or non-finite count")
        }
    }
}
