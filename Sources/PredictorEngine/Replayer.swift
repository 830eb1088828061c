import PredictorCore
import PredictorWire

/// Runs JSON Lines observations (wire JSON plus an optional `"stream"` field) through the engine exactly as the
/// daemon does, producing the JSON prediction lines: the offline twin and test oracle of the daemon.
public struct Replayer: Sendable {
    public var engine: PredictionEngine
    /// Lines dropped before or after the engine (undecodable, unencodable): counted here, not in the engine.
    package private(set) var wireDrops = DropCounts()
    /// Stream id for lines without a `"stream"` field.
    public var defaultStream: String
    private var out = OutboundPrediction(stream: "", model: "", seq: nil, ts: nil, prediction: Prediction())
    private var encoded: [UInt8] = []

    public init(engine: PredictionEngine, defaultStream: String = "replay") {
        self.engine = engine
        self.defaultStream = defaultStream
    }

    /// Replays one line; appends the prediction's JSON (no newline) to `output`, or returns why it was dropped.
    public mutating func replay(line: [UInt8], output: inout [UInt8]) -> EngineDrop? {
        let message: InboundMessage
        do {
            message = try WireDecoder.observation(line)
        } catch {
            wireDrops.count(error.reason.rawValue)
            return EngineDrop(reason: error.reason.rawValue, message: error.message)
        }
        do {
            try engine.process(stream: message.stream ?? defaultStream, message: message, now: message.ts ?? 0, into: &out)
        } catch {
            return error
        }
        do {
            try WireEncoder.prediction(out, encoding: .json, into: &encoded)
        } catch {
            wireDrops.count(error.reason.rawValue)
            return EngineDrop(reason: error.reason.rawValue, message: error.message)
        }
        output.append(contentsOf: encoded)
        return nil
    }
}
