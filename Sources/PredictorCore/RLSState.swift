/// Fast memory of one `rls` context: P = Z⁻¹, weights W, lag history and the innovation statistics for σ̂².
///
/// Encodes bit for bit (equality is bitwise too), so a checkpointed context resumes with identical predictions.
/// The arrays live in one allocation (``Layout``): one header and one uniqueness check per step instead of five,
/// and ≈ 270 instead of ≈ 460 bytes of heap per p = 4 context.
public struct RLSState: Sendable, Equatable, BinaryCodable {
    /// Feature count p.
    public let featureCount: Int
    /// Output dimension q.
    public let outputs: Int
    /// Lags the history keeps (0 for explicit layouts).
    let lags: Int
    /// P (p×p) | W (p×q) | lag values (lags×q) | innovation squares (q) | working space u = Px (p, not state).
    var storage: [Double]
    /// How many values the lag history holds, capped at `lags`.
    var historyFilled: Int
    /// Observations absorbed (including autoregressive warm-up values that completed no pair).
    public internal(set) var count: Int
    /// Pairs (x, y) learned, the n of λⁿ.
    public internal(set) var learnedPairs: Int
    /// Σ λ^{n−i} over learned pairs (the normaliser of σ̂²).
    public internal(set) var innovationWeight: Double

    /// Offsets of the parts of `storage` (wrapping arithmetic: p, q and lags are validated ≤ 4096, no overflow).
    struct Layout {
        let weights: Int, history: Int, squares: Int, scratch: Int, total: Int
        @inline(__always)
        init(p: Int, q: Int, lags: Int) {
            weights = p &* p
            history = weights &+ p &* q
            squares = history &+ lags &* q
            scratch = squares &+ q
            total = scratch &+ p
        }
    }

    var layout: Layout { Layout(p: featureCount, q: outputs, lags: lags) }

    /// P = (Σ λ^{n−i} x_i x_iᵀ + δλⁿ I)⁻¹, p×p row-major, kept exactly symmetric.
    public var covariance: [Double] { Array(storage[0..<layout.weights]) }
    /// W, p×q row-major (row i = feature i): the weighted ridge solution so far.
    public var weights: [Double] { let l = layout; return Array(storage[l.weights..<l.history]) }
    /// Last lags of an autoregressive series (lags 0 for explicit layouts).
    public var history: LagHistory {
        let l = layout
        return LagHistory(lags: lags, outputs: outputs, values: Array(storage[l.history..<l.squares]), filled: historyFilled)
    }
    /// Σ λ^{n−i} e_{ij}² over learned pairs, per output component j.
    public var innovationSquares: [Double] { let l = layout; return Array(storage[l.squares..<l.scratch]) }

    /// True once the history holds `lags` values (always for explicit layouts).
    var historyIsFull: Bool { historyFilled == lags }

    /// The empty context: P = I/δ, W = w₀, empty history, no statistics.
    public init(parameters: RLSParameters) {
        featureCount = parameters.featureCount
        outputs = parameters.outputs
        lags = Self.lags(of: parameters.layout)
        storage = []
        historyFilled = 0
        count = 0
        learnedPairs = 0
        innovationWeight = 0
        storage = [Double](repeating: 0, count: layout.total)
        reset(parameters: parameters)
    }

    /// Returns to the empty context in place, reusing the storage.
    mutating func reset(parameters: RLSParameters) {
        let p = featureCount, l = layout
        let d = 1 / parameters.delta
        storage.withUnsafeMutableBufferPointer { s in
            for i in 0..<l.total { s[i] = 0 }
            for i in 0..<p { s[i * p + i] = d }
            for i in 0..<(l.history - l.weights) { s[l.weights + i] = parameters.priorMean[i] }
        }
        historyFilled = 0
        count = 0
        learnedPairs = 0
        innovationWeight = 0
    }

    /// The one-output noise scale (J, Σβ).
    var noiseScale: RLSPredictor.NoiseScale { (storage[layout.squares], innovationWeight) }

    /// This one-output state with its noise scale (J, Σβ) replaced: the state of a regression that shares W, P and
    /// every count with this one but discounts its noise by another β.
    func replacingNoiseScale(_ noise: RLSPredictor.NoiseScale) -> RLSState {
        var copy = self
        copy.storage[layout.squares] = noise.squares
        copy.innovationWeight = noise.weight
        return copy
    }

    /// Shifts the newest value y (q components) into the lag history (newest first).
    @inline(__always)
    static func push(_ y: UnsafePointer<Double>, into v: UnsafeMutablePointer<Double>, count n: Int, outputs q: Int) {
        var i = n - 1
        while i >= q { v[i] = v[i - q]; i -= 1 }
        for j in 0..<q { v[j] = y[j] }
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
        guard lags == Self.lags(of: parameters.layout) else {
            return StateDecodingError("rls state lag history (\(lags) lags) does not fit the model's layout")
        }
        return nil
    }

    /// Bitwise equality of the state (the working space is not state).
    public static func == (a: RLSState, b: RLSState) -> Bool {
        guard a.featureCount == b.featureCount, a.outputs == b.outputs, a.lags == b.lags, a.count == b.count,
            a.learnedPairs == b.learnedPairs, a.historyFilled == b.historyFilled,
            a.innovationWeight.bitPattern == b.innovationWeight.bitPattern
        else { return false }
        let end = a.layout.scratch
        return a.storage.withUnsafeBufferPointer { u in
            b.storage.withUnsafeBufferPointer { v in
                (0..<end).allSatisfy { u[$0].bitPattern == v[$0].bitPattern }
            }
        }
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
        let l = layout
        write(l.squares..<l.scratch, to: &writer)
        write(0..<l.weights, to: &writer)
        write(l.weights..<l.history, to: &writer)
        // LagHistory's encoding: lags, outputs, filled, values.
        writer.write(lags)
        writer.write(outputs)
        writer.write(historyFilled)
        write(l.history..<l.squares, to: &writer)
    }

    /// Writes a part of `storage` exactly as `ByteWriter.write(_: [Double])` writes an array (count, bit patterns).
    private func write(_ range: Range<Int>, to writer: inout ByteWriter) {
        writer.write(range.count)
        for i in range { writer.write(storage[i].bitPattern) }
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
        let innovationSquares = try reader.readDoubles(expectedCount: q)
        let covariance = try reader.readDoubles(expectedCount: p * p)
        let weights = try reader.readDoubles(expectedCount: p * q)
        let history = try LagHistory(from: &reader)
        guard history.outputs == q, history.lags == 0 || history.lags * q + 1 >= p && history.lags * q <= p else {
            throw StateDecodingError("rls state lag history does not fit p=\(p), q=\(q)")
        }
        guard innovationWeight.isFinite, innovationWeight >= 0,
            innovationSquares.allSatisfy({ $0.isFinite && $0 >= 0 }),
            covariance.allSatisfy(\.isFinite), weights.allSatisfy(\.isFinite),
            history.values.allSatisfy(\.isFinite)
        else { throw StateDecodingError("rls state contains non-finite or negative statistics") }
        lags = history.lags
        historyFilled = history.filled
        var storage: [Double] = []
        storage.reserveCapacity(covariance.count + weights.count + history.values.count + q + p)
        for part in [covariance, weights, history.values, innovationSquares, [Double](repeating: 0, count: p)] {
            storage.append(contentsOf: part)
        }
        self.storage = storage
    }
}
