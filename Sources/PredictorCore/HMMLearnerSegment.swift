/// A run of one context's observations handed to an online-EM learner (``OnlineHMMLearner``): the predictive measure
/// π at the run's first observation (the context's filter output, i.e. the prior of the hidden state there) and the
/// observations themselves (symbols, or real values for Gaussian emissions).
public struct ObservationSegment<Element: SegmentElement>: Sendable, Equatable {
    /// π(x) = P(X_s = x | the context's observations before the segment): d entries summing to 1.
    public var start: [Double]
    /// The observations o_s..o_{s+T−1}.
    public var observations: [Element]
    /// True when the first observation is the context's first (after creation or reset): only such segments teach μ.
    public var startsContext: Bool

    public init(start: [Double], observations: [Element], startsContext: Bool) {
        self.start = start
        self.observations = observations
        self.startsContext = startsContext
    }
}

/// A segment of symbols z_s..z_{s+T−1}, each in 0..<m (``HMMLearner``).
public typealias HMMSegment = ObservationSegment<Int>
/// A segment of real values (``GaussianHMMLearner``).
public typealias GaussianSegment = ObservationSegment<Double>

extension ObservationSegment where Element == Int {
    public init(start: [Double], symbols: [Int], startsContext: Bool) {
        self.init(start: start, observations: symbols, startsContext: startsContext)
    }

    /// The segment's symbols.
    public var symbols: [Int] {
        get { observations }
        set { observations = newValue }
    }
}
