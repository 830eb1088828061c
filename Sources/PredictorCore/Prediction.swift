/// A causal prediction of a context's next observation, reused across steps so the hot path does not allocate.
///
/// Real streams fill `mean`, `variance` and `error` (q components each, NaN where a model has none);
/// symbol streams fill `probabilities` (m components), `mean` (one value: E[f(Z)]) and `surprise`.
public struct Prediction: Sendable, Equatable {
    /// Whether this is a real-valued or a symbol prediction (selects the wire layout).
    public enum Kind: UInt8, Sendable, Equatable { case real = 16, symbol = 17 }

    public var kind: Kind
    /// Observations absorbed in this context's fast memory.
    public var count: Int
    /// MMSE prediction of the next observation (real: q values; symbol: one value, the mean of f).
    public var mean: [Double]
    /// Predictive variance per component (real streams); NaN where the model gives none.
    public var variance: [Double]
    /// Innovation of the observation just absorbed: y minus the prediction made for it before it was seen; NaN for none.
    public var error: [Double]
    /// Predictive distribution of the next symbol (symbol streams); empty for real streams.
    public var probabilities: [Double]
    /// −log P(z_t | past) of the symbol just absorbed, in nats; NaN where none.
    public var surprise: Double
    /// Degrees of freedom ν of a Student-t predictive (real streams; ∞ for a Gaussian one, NaN where none).
    public var dof: Double
    /// Central predictive intervals, per level ℓ: q lower bounds then q upper bounds (``fillIntervals(_:)``).
    public var interval: [Double]
    /// The levels of `interval` (e.g. [0.9]); empty for none.
    public var intervalLevels: [Double]
    /// Multi-step forecasts (`horizon: h`): means and variances of the values 1…h steps ahead (empty otherwise),
    /// and their intervals, per level: h lower bounds then h upper bounds.
    public var horizonMean: [Double]
    public var horizonVariance: [Double]
    public var horizonInterval: [Double]
    /// `auto` models: the index of the member of largest weight, and that weight (−1 and NaN otherwise).
    public var leader: Int
    public var leaderWeight: Double

    public init(kind: Kind = .real, count: Int = 0, mean: [Double] = [], variance: [Double] = [],
                error: [Double] = [], probabilities: [Double] = [], surprise: Double = .nan, dof: Double = .nan,
                interval: [Double] = []) {
        self.kind = kind
        self.count = count
        self.mean = mean
        self.variance = variance
        self.error = error
        self.probabilities = probabilities
        self.surprise = surprise
        self.dof = dof
        self.interval = interval
        intervalLevels = []
        horizonMean = []
        horizonVariance = []
        horizonInterval = []
        leader = -1
        leaderWeight = .nan
    }

    /// Bitwise equality (NaN == NaN when the bit patterns match): what "identical predictions" means in tests.
    public func isBitwiseEqual(to other: Prediction) -> Bool {
        func same(_ a: [Double], _ b: [Double]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
        return kind == other.kind && count == other.count && same(mean, other.mean)
            && same(variance, other.variance) && same(error, other.error)
            && same(probabilities, other.probabilities) && surprise.bitPattern == other.surprise.bitPattern
            && dof.bitPattern == other.dof.bitPattern && same(interval, other.interval) && leader == other.leader
            && leaderWeight.bitPattern == other.leaderWeight.bitPattern && same(horizonMean, other.horizonMean)
            && same(horizonVariance, other.horizonVariance) && same(horizonInterval, other.horizonInterval)
    }
}

extension Array where Element == Double {
    /// Resizes to `count` elements filled with `value`, reusing storage when the size already matches.
    @inlinable
    public mutating func reset(count: Int, to value: Double) {
        if self.count == count {
            for i in indices { self[i] = value }
        } else {
            self = [Double](repeating: value, count: count)
        }
    }
}
