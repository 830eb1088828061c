import PredictorCore

/// A prediction to publish, with its envelope.
///
/// Holding a ``Prediction`` shares its arrays (copy on write), so building one does not copy them;
/// ``WireEncoder/prediction(_:stream:model:seq:ts:encoding:into:)`` encodes without building one at all.
public struct OutboundPrediction: Sendable, Equatable {
    /// The stream id (also the topic frame).
    public var stream: String
    /// The model name (`rls`, `softmax`, `dual`, `forward`); binary v1 does not carry it, so binary decoding gives "".
    public var model: String
    /// Sequence number of the observation predicted (last seq + 1), when the publisher sends `seq`.
    public var seq: UInt64?
    /// Echo of the triggering observation's timestamp.
    public var ts: Double?
    public var prediction: Prediction
    /// The answer to a `{"state":true}` message (JSON `"state":true`, binary flag bit 3), not a new prediction.
    public var isState = false

    public init(stream: String, model: String, seq: UInt64? = nil, ts: Double? = nil, prediction: Prediction) {
        self.stream = stream
        self.model = model
        self.seq = seq
        self.ts = ts
        self.prediction = prediction
    }
}
