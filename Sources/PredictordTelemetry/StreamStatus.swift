import PredictorWire

/// `/streams/<id>`: a live stream's model, absorbed observations, last seq and current prediction.
public struct StreamStatus: Sendable {
    public var stream: String
    public var model: String
    /// Observations in the stream's fast memory (the prediction's `n`).
    public var count: Int
    public var lastSeq: UInt64?
    /// The prediction the stream would publish now (of its next value), with its envelope.
    public var prediction: OutboundPrediction

    public init(stream: String, model: String, count: Int, lastSeq: UInt64?, prediction: OutboundPrediction) {
        self.stream = stream
        self.model = model
        self.count = count
        self.lastSeq = lastSeq
        self.prediction = prediction
    }
}
