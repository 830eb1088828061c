import PredictorCore

/// A decoded inbound message (observation, query or reset) with its envelope.
///
/// `stream` is only ever set from a JSON `stream` field (replay files carry it); on the wire the topic frame names the stream.
public struct InboundMessage: Sendable, Equatable {
    /// What the message asks the stream's context to do.
    public enum Body: Sendable, Equatable {
        /// Learn from an observation (series value, labelled pair or symbol).
        case observation(Observation)
        /// Predict for features `x` without learning.
        case query(x: [Double])
        /// End the context: clear its fast memory.
        case reset
        /// Ask for the stream's last absorbed seq and n (the recovery answer), changing nothing.
        case state
    }

    public var body: Body
    /// The publisher's sequence number, when sent.
    public var seq: UInt64?
    /// The publisher's timestamp (seconds since the Unix epoch), when sent; echoed in the prediction.
    public var ts: Double?
    /// The encoding the message arrived in; its prediction is sent in the same one.
    public var encoding: WireEncoding
    /// The JSON `stream` field, when present (replay files); nil for binary and for JSON without it.
    public var stream: String?

    public init(body: Body, seq: UInt64? = nil, ts: Double? = nil, encoding: WireEncoding, stream: String? = nil) {
        self.body = body
        self.seq = seq
        self.ts = ts
        self.encoding = encoding
        self.stream = stream
    }
}

extension InboundMessage {
    /// Moves the body's vectors out and leaves `.reset`: the body no longer shares them, so refilling them with as
    /// many values does not allocate (x: labelled features or query; y: series or labelled target).
    mutating func takeVectors() -> (x: [Double], y: [Double]) {
        var x: [Double] = [], y: [Double] = []
        switch body {
        case let .observation(.series(values)): y = values
        case let .observation(.labelled(features, values)): (x, y) = (features, values)
        case let .query(features): x = features
        case .observation(.symbol), .reset, .state: return (x, y)
        }
        body = .reset
        return (x, y)
    }
}
