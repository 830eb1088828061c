import PredictorEngine
import PredictorWire

/// The properties every wire payload must satisfy, shared by the libFuzzer target `FuzzWire` and the corpus replay
/// unit test: decoding only succeeds or throws `WireError`; a decoded message re-encodes to a fixpoint; the engine
/// takes it (or drops it with a reason) without trapping; a decoded prediction re-encodes to a fixpoint too.
public enum WireCheck {
    /// Streams the payload is fed to, one per example model of Config/predictord.yaml (picked by payload size).
    public static let streams = ["series/fuzz", "pairs/fuzz", "kernel/fuzz", "weather/fuzz", "weather-dual/fuzz"]

    /// Every violated property of `payload`, empty when it is handled correctly; `models` drive the engine.
    public static func problems(_ payload: [UInt8], models: [ModelDefinition], maxJSONBytes: Int = 65_536) -> [String] {
        var problems: [String] = []
        _ = try? WireDecoder.topic(payload)
        problems += reuseProblems(payload, maxJSONBytes: maxJSONBytes)
        if let message = try? WireDecoder.observation(payload, maxJSONBytes: maxJSONBytes) {
            problems += fixpoint("observation") { () throws(WireError) in
                try WireEncoder.observation(message, encoding: message.encoding)
            } again: { bytes throws(WireError) in
                let decoded = try WireDecoder.observation(bytes, maxJSONBytes: Int.max)
                return try WireEncoder.observation(decoded, encoding: decoded.encoding)
            }
            var engine = PredictionEngine(models: models, limits: EngineLimits(maxContexts: 16))
            var out = OutboundPrediction(stream: "", model: "", prediction: .init())
            let stream = streams[payload.count % streams.count]
            for step in 0..<3 {
                do {
                    try engine.process(stream: stream, message: message, now: Double(step), into: &out)
                    var encoded: [UInt8] = []
                    try WireEncoder.prediction(out, encoding: message.encoding, into: &encoded)
                } catch let drop as EngineDrop {
                    if drop.reason.isEmpty { problems.append("engine drop without a reason: \(drop.message)") }
                } catch {
                    // An unencodable prediction is a counted drop in the daemon (its WireError names the reason).
                }
            }
            // Every message is either predicted or dropped with a counted reason, never lost silently.
            let accounted = engine.counters.predictions + engine.counters.totalDrops
            if accounted != 3 { problems.append("3 messages gave \(accounted) predictions + drops") }
        }
        if let prediction = try? WireDecoder.prediction(payload, stream: "fuzz") {
            let encoding = (try? WireDecoder.encoding(of: payload)) ?? .json
            problems += fixpoint("prediction") { () throws(WireError) in
                try WireEncoder.prediction(prediction, encoding: encoding)
            } again: { bytes throws(WireError) in
                try WireEncoder.prediction(try WireDecoder.prediction(bytes, stream: "fuzz"), encoding: encoding)
            }
        }
        return problems
    }

    /// Messages a reused decode target may hold from the previous payload (the daemon decodes into one message).
    private static let previous: [InboundMessage] = [
        InboundMessage(body: .reset, encoding: .binary),
        InboundMessage(body: .observation(.series([1])), seq: 1, ts: 2, encoding: .binary),
        InboundMessage(body: .observation(.series([1, 2, 3])), encoding: .binary),
        InboundMessage(body: .observation(.labelled(x: [1, 2], y: [3])), seq: 5, encoding: .binary),
        InboundMessage(body: .query(x: [4]), encoding: .json, stream: "s"),
        InboundMessage(body: .observation(.symbol(2)), encoding: .binary),
    ]

    /// Decoding into a reused message must give what a fresh decode gives (the same message or the same error),
    /// whatever the message held before, including this payload's own result.
    private static func reuseProblems(_ payload: [UInt8], maxJSONBytes: Int) -> [String] {
        let fresh = Result { () throws(WireError) in try WireDecoder.observation(payload, maxJSONBytes: maxJSONBytes) }
        var held = previous
        if case let .success(message) = fresh { held.append(message) }
        var problems: [String] = []
        for before in held {
            var reused = before
            let result = payload.withUnsafeBytes { p in
                Result { () throws(WireError) in try WireDecoder.observation(p, maxJSONBytes: maxJSONBytes, into: &reused) }
            }
            switch (fresh, result) {
            case let (.success(expected), .success):
                if reused != expected { problems.append("decoding into a reused \(before) gave \(reused), a fresh decode \(expected)") }
            case let (.failure(expected), .failure(error)):
                if error != expected { problems.append("decoding into a reused \(before) threw \(error), a fresh decode \(expected)") }
            default:
                problems.append("decoding into a reused \(before) and a fresh decode disagree: \(result) vs \(fresh)")
            }
        }
        return problems
    }

    /// `again(first())` must give back `first()`'s bytes (the canonical encoding is a fixpoint).
    private static func fixpoint(
        _ what: String, first: () throws(WireError) -> [UInt8], again: ([UInt8]) throws(WireError) -> [UInt8]
    ) -> [String] {
        let encoded: [UInt8]
        do { encoded = try first() } catch {
            // Oversized re-encodings and similar are refused with a reason, which is fine.
            return []
        }
        do {
            let second = try again(encoded)
            return second == encoded ? [] : ["\(what) re-encoding is not a fixpoint: \(encoded) then \(second)"]
        } catch {
            return ["\(what) re-encoded as \(encoded) no longer decodes: \(error)"]
        }
    }
}
