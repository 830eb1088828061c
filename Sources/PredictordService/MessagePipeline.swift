import PredictorCore
import PredictorEngine
import PredictorWire

/// The poll loop's work for one received message without the sockets: topic and payload decoded, the engine
/// stepped, the prediction encoded into ``payload``; buffers are reused, so a steady stream does not allocate.
///
/// Also what `predictord-bench core` times and the allocation test counts, so both measure the daemon's own code.
public struct MessagePipeline: Sendable {
    /// What became of a message.
    public enum Outcome: Sendable, Equatable {
        /// ``payload`` holds the prediction to publish on the message's topic.
        case publish
        /// Refused before the engine saw it: the caller counts it under `reason` and logs `message`.
        case drop(reason: String, message: String, stream: String?)
        /// Refused by the engine, which has already counted it: the caller only logs it.
        case refused(reason: String, message: String, stream: String)
    }

    /// limits.max_message_bytes: larger payloads are dropped as `oversized` before decoding.
    public var maxMessageBytes: Int
    /// The encoded prediction after ``Outcome/publish``.
    public private(set) var payload: [UInt8] = []
    /// Whether the engine took the last message (`.publish`, or refused after it may have touched the stream):
    /// what the journal must keep so a replay reaches the same state.
    public private(set) var reachedEngine = false
    private var message = InboundMessage(body: .reset, encoding: .binary)
    private var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())

    /// The prediction of the last ``Outcome/publish`` (shares its arrays; read only for watched streams).
    public var prediction: OutboundPrediction { out }

    /// The first component of the last message's observed value (the symbol's index for symbol streams; NaN for a
    /// query, a reset or a state question).
    public var observedValue: Double {
        switch message.body {
        case let .observation(.series(y)), let .observation(.labelled(_, y)): y.first ?? .nan
        case let .observation(.symbol(z)): Double(z)
        case .query, .reset, .state: .nan
        }
    }

    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Decodes `topic` and `body`, steps `engine` and encodes its prediction (in the message's encoding).
    public mutating func handle(
        topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, engine: inout PredictionEngine, now: Double
    ) -> Outcome {
        reachedEngine = false
        let stream: String
        do { stream = try WireDecoder.topic(topic) } catch { return .drop(reason: error.reason.rawValue, message: error.message, stream: nil) }
        guard body.count <= maxMessageBytes else {
            return .drop(reason: "oversized", message: "payload of \(body.count) bytes exceeds limits.max_message_bytes = \(maxMessageBytes)", stream: stream)
        }
        do {
            try WireDecoder.observation(body, maxJSONBytes: maxMessageBytes, into: &message)
        } catch {
            return .drop(reason: error.reason.rawValue, message: error.message, stream: stream)
        }
        if let named = message.stream, named.utf8.elementsEqual(stream.utf8) == false {
            return .drop(reason: "bad_field", message: "JSON \"stream\" '\(named)' differs from the topic; omit the field or make it equal", stream: stream)
        }
        do {
            try engine.process(stream: stream, message: message, now: now, into: &out)
            reachedEngine = true
        } catch {
            reachedEngine = !EngineDrop.leavesStateUntouched(error.reason)
            return .refused(reason: error.reason, message: error.message, stream: stream)
        }
        do {
            try WireEncoder.prediction(out, encoding: message.encoding, into: &payload)
        } catch {
            return .drop(reason: error.reason.rawValue, message: error.message, stream: stream)
        }
        return .publish
    }
}
