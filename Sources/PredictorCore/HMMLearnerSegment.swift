/// A run of one context's symbols handed to ``HMMLearner``: the predictive measure π at the run's first symbol
/// (the context's filter output, i.e. the prior of the hidden state there) and the symbols themselves.
public struct HMMSegment: Sendable, Equatable {
    /// π(x) = P(X_s = x | the context's symbols before the segment): d entries summing to 1.
    public var start: [Double]
    /// z_s..z_{s+T−1}, each in 0..<m.
    public var symbols: [Int]
    /// True when the first symbol is the context's first (after creation or reset): only such segments teach μ.
    public var startsContext: Bool

    public init(start: [Double], symbols: [Int], startsContext: Bool) {
        self.start = start
        self.symbols = symbols
        self.startsContext = startsContext
    }
}
