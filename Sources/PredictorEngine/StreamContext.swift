import PredictorCore

/// One stream's fast memory and bookkeeping: its model, predictor state, last sequence number and activity.
public struct StreamContext: Sendable {
    /// Index of the serving model in the engine's model list.
    public var model: Int
    public var predictor: AnyPredictor
    /// Highest accepted `seq` (nil until the publisher sends one).
    public var lastSeq: UInt64?
    /// Time of the last accepted message, in the engine's clock (seconds); drives idle eviction.
    public var lastActive: Double
    /// Whether this context's fast memory has been absorbed into its model's learned slow memory (once per context).
    public var contributed: Bool
    /// The prediction last published for this stream, kept only where learning can switch the parameters between
    /// publishing it and scoring the next observation (``AnyPredictor/scoredPart``): HMM models' next-symbol
    /// law, softmax series models' mean; empty otherwise. `error` and `surprise` are computed against it.
    public var published: [Double]
    /// The last published forecast's summary, for windowed quality (``PredictionEngine/qualityHalfLife`` > 0 only).
    public var memo = ForecastMemo()

    public init(
        model: Int, predictor: AnyPredictor, lastSeq: UInt64? = nil, lastActive: Double = 0, contributed: Bool = false,
        published: [Double] = []
    ) {
        self.model = model
        self.predictor = predictor
        self.lastSeq = lastSeq
        self.lastActive = lastActive
        self.contributed = contributed
        self.published = published
    }
}
