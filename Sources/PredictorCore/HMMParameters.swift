/// Slow memory of a hidden Markov model: transition A, emission C, prior μ and value map f (math.md §4).
///
/// Validated once at construction so the filters' hot paths can index without checks.
public struct HMMParameters: Sendable, Equatable, BinaryCodable {
    /// Number of hidden states d (1...4096).
    public let states: Int
    /// Alphabet size m (1...65535): symbols are 0..<m.
    public let symbols: Int
    /// A(x, y) = P(X_{t+1} = y | X_t = x), d×d row-major; every row sums to 1.
    public let transition: [Double]
    /// C(x, z) = P(Z_t = z | X_t = x), d×m row-major; every row sums to 1.
    public let emission: [Double]
    /// μ(x) = P(X_0 = x), d entries summing to 1.
    public let initial: [Double]
    /// f(z): the real value of symbol z for MMSE point predictions (m entries).
    public let values: [Double]

    /// Derived (not encoded): the centre k of f's range, and per state the moments E[g | x] = (C g)(x) and
    /// E[g² | x] = (C g²)(x) of g = f − k, so a prediction's mean and variance cost O(d) with little cancellation.
    let valueCentre: Double
    let conditionalMean: [Double]
    let conditionalSecondMoment: [Double]

    /// Largest state count accepted.
    public static let maxStates = 4096
    /// Largest alphabet accepted.
    public static let maxSymbols = 65535
    /// Tolerance on the sums of probability vectors.
    public static let sumTolerance = 1e-9

    /// Checks shapes and stochasticity, naming the offending configuration key (and row); `values` defaults to f(z) = z.
    public init(states: Int, symbols: Int, transition: [Double], emission: [Double], initial: [Double],
                values: [Double]? = nil) throws(ParameterError) {
        guard states >= 1, states <= Self.maxStates else {
            throw ParameterError("states", "must be an integer in 1...\(Self.maxStates), got \(states)")
        }
        guard symbols >= 1, symbols <= Self.maxSymbols else {
            throw ParameterError("symbols", "must be an integer in 1...\(Self.maxSymbols), got \(symbols)")
        }
        let d = states, m = symbols
        guard transition.count == d * d else {
            throw ParameterError("transition", "must have d×d = \(d * d) entries (row-major), got \(transition.count)")
        }
        guard emission.count == d * m else {
            throw ParameterError("emission", "must have d×m = \(d * m) entries (row-major), got \(emission.count)")
        }
        guard initial.count == d else {
            throw ParameterError("initial", "must have d = \(d) entries, got \(initial.count)")
        }
        for x in 0..<d {
            try Self.checkDistribution(transition[(x * d)..<(x * d + d)], name: "transition[\(x)]", what: "row")
        }
        for x in 0..<d {
            try Self.checkDistribution(emission[(x * m)..<(x * m + m)], name: "emission[\(x)]", what: "row")
        }
        try Self.checkDistribution(initial[...], name: "initial", what: "vector")
        let f = values ?? (0..<m).map { Double($0) }
        guard f.count == m else {
            throw ParameterError("values", "must have m = \(m) entries, got \(f.count)")
        }
        if let bad = f.firstIndex(where: { !$0.isFinite }) {
            throw ParameterError("values", "entry \(bad) is \(f[bad]); values must be finite")
        }
        self.states = d
        self.symbols = m
        self.transition = transition
        self.emission = emission
        self.initial = initial
        self.values = f
        let centre = (f.min()! + f.max()!) / 2
        var g1 = [Double](repeating: 0, count: d), g2 = [Double](repeating: 0, count: d)
        for x in 0..<d {
            for z in 0..<m {
                let g = f[z] - centre
                g1[x] += emission[x * m + z] * g
                g2[x] += emission[x * m + z] * g * g
            }
        }
        valueCentre = centre
        conditionalMean = g1
        conditionalSecondMoment = g2
    }

    /// Entries finite and ≥ 0, sum within `sumTolerance` of 1.
    static func checkDistribution(_ p: ArraySlice<Double>, name: String, what: String) throws(ParameterError) {
        var sum = 0.0
        for (k, v) in zip(0..., p) {
            guard v.isFinite, v >= 0 else {
                throw ParameterError(name, "entry \(k) is \(v); entries must be finite and ≥ 0")
            }
            sum += v
        }
        guard abs(sum - 1) <= sumTolerance else {
            throw ParameterError(name, "\(what) must sum to 1, sums to \(sum)")
        }
    }

    /// Column z of C, i.e. c_z(x) = C(x, z), as a fresh vector (reference paths and tests; hot paths gather in place).
    public func emissionColumn(_ z: Int) -> [Double] {
        (0..<states).map { emission[$0 * symbols + z] }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(states)
        writer.write(symbols)
        writer.write(transition)
        writer.write(emission)
        writer.write(initial)
        writer.write(values)
    }

    /// Decodes and re-validates, so a corrupt blob can never yield parameters the filters would index out of range.
    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let d = try reader.readInt()
        let m = try reader.readInt()
        let a = try reader.readDoubles()
        let c = try reader.readDoubles()
        let mu = try reader.readDoubles()
        let f = try reader.readDoubles()
        do {
            try self.init(states: d, symbols: m, transition: a, emission: c, initial: mu, values: f)
        } catch {
            throw StateDecodingError("HMM parameters: \(error.description)")
        }
    }
}
