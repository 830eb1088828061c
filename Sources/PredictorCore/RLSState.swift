/// Fast memory of one `rls` context: P = Z⁻¹, weights W, lag history and the innovation statistics for σ̂².
///
/// Encodes bit for bit (equality is bitwise too), so a checkpointed context resumes with identical predictions.
public struct RLSState: Sendable, Equatable, BinaryCodable {
    /// Feature count p.
    public let featureCount: Int
    /// Output dimension q.
    public let outputs: Int
    /// P = (Σ λ^{n−i} x_i x_iᵀ + δλⁿ I)⁻¹, p×p row-major, kept exactly symmetric.
    public internal(set) var covariance: [Double]
    /// W, p×q row-major (row i = feature i): the weighted ridge solution so far.
    public internal(set) var weights: [Double]
    /// Last lags of an autoregressive series (lags 0 for explicit layouts).
    public internal(set) var history: LagHistory
    /// Observations absorbed (including autoregressive warm-up values that completed no pair).
    public internal(set) var count: Int
    /// Pairs (x, y) learned, the n of λⁿ.
    public internal(set) var learnedPairs: Int
    /// Σ λ^{n−i} e_{ij}² over learned pairs, per output component j.
    public internal(set) var innovationSquares: [Double]
    /// Σ λ^{n−i} over learned pairs (the normaliser of σ̂²).
    public internal(set) var innovationWeight: Double

    /// The empty context: P = I/δ, W = w₀, empty history, no statistics.
    public init(parameters: RLSParameters) {
        let p = parameters.featureCount, q = parameters.outputs
        featureCount = p
        outputs = q
        covariance = [Double](repeating: 0, count: p * p)
        weights = parameters.priorMean
        history = LagHistory(lags: Self.lags(of: parameters.layout), outputs: q)
        count = 0
        learnedPairs = 0
        innovationSquares = [Double](repeating: 0, count: q)
        innovationWeight = 0
        let d = 1 / parameters.delta
        for i in 0..<p { covariance[i * p + i] = d }
    }

    /// Returns to the empty context in place, reusing the storage.
    mutating func reset(parameters: RLSParameters) {
        let p = featureCount
        let d = 1 / parameters.delta
        covariance.reset(count: p * p, to: 0)
        for i in 0..<p { covariance[i * p + i] = d }
        weights.withUnsafeMutableBufferPointer { w in
            for i in 0..<w.count { w[i] = parameters.priorMean[i] }
        }
        history.clear()
        count = 0
        learnedPairs = 0
        innovationSquares.reset(count: outputs, to: 0)
        innovationWeight = 0
    }

    /// Number of lags the history keeps for `layout` (0 when features are explicit).
    static func lags(of layout: FeatureLayout) -> Int {
        if case let .autoregressive(lags, _) = layout { return lags }
        return 0
    }

    /// Whether this state has the shapes `parameters` need (p, q, history) and finite numbers.
    func fits(_ parameters: RLSParameters) -> StateDecodingError? {
        guard featureCount == parameters.featureCount, outputs == parameters.outputs else {
            return StateDecodingError(
                "rls state has p=\(featureCount), q=\(outputs); the model needs p=\(parameters.featureCount), q=\(parameters.outputs)")
        }
        guard history.lags == Self.lags(of: parameters.layout), history.outputs == outputs else {
            return StateDecodingError("rls state lag history (\(history.lags) lags) does not fit the model's layout")
        }
        return nil
    }

    public static func == (a: RLSState, b: RLSState) -> Bool {
        func same(_ u: [Double], _ v: [Double]) -> Bool {
            u.count == v.count && zip(u, v).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
        return a.featureCount == b.featureCount && a.outputs == b.outputs && a.count == b.count
            && a.learnedPairs == b.learnedPairs
            && a.innovationWeight.bitPattern == b.innovationWeight.bitPattern
            && same(a.covariance, b.covariance) && same(a.weights, b.weights)
            && same(a.innovationSquares, b.innovationSquares)
            && a.history.lags == b.history.lags && a.history.outputs == b.history.outputs
            && a.history.filled == b.history.filled && same(a.history.values, b.history.values)
    }

    /// Format version written first, so a future layout change can be detected.
    static let formatVersion: UInt8 = 1

    public func encode(to writer: inout ByteWriter) {
        writer.write(Self.formatVersion)
        writer.write(featureCount)
        writer.write(outputs)
        writer.write(count)
        writer.write(learnedPairs)
        writer.write(innovationWeight)
        writer.write(innovationSquares)
        writer.write(covariance)
        writer.write(weights)
        history.encode(to: &writer)
    }

    /// Decodes and checks internal consistency (shapes, counts, finite values); fit to a model is checked on resume.
    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else { throw StateDecodingError("unknown rls state version \(version)") }
        let p = try reader.readInt(), q = try reader.readInt()
        guard p >= 1, p <= RLSParameters.maximumFeatureCount, q >= 1, q <= RLSParameters.maximumOutputs else {
            throw StateDecodingError("rls state shape p=\(p), q=\(q) out of range")
        }
        featureCount = p
        outputs = q
        count = try reader.readInt()
        learnedPairs = try reader.readInt()
        guard learnedPairs >= 0, count >= learnedPairs else {
            throw StateDecodingError("rls state counts inconsistent: \(learnedPairs) pairs, \(count) observations")
        }
        innovationWeight = try reader.readDouble()
        innovationSquares = try reader.readDoubles(expectedCount: q)
        covariance = try reader.readDoubles(expectedCount: p * p)
        weights = try reader.readDoubles(expectedCount: p * q)
        history = try LagHistory(from: &reader)
        guard history.outputs == q, history.lags == 0 || history.lags * q + 1 >= p && history.lags * q <= p else {
            throw StateDecodingError("rls state lag history does not fit p=\(p), q=\(q)")
        }
        guard innovationWeight.isFinite, innovationWeight >= 0,
            innovationSquares.allSatisfy({ $0.isFinite && $0 >= 0 }),
            covariance.allSatisfy(\.isFinite), weights.allSatisfy(\.isFinite),
            history.values.allSatisfy(\.isFinite)
        else { throw StateDecodingError("rls state contains non-finite or negative statistics") }
    }
}
