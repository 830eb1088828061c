import Foundation
import PredictordTestSupport
import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordService
import Testing

/// The poll loop's per-message work, without sockets: every published payload equals the reference path
/// (fresh decode, engine, encoder), and every bad message is refused with its reason without touching any state.
@Suite struct MessagePipelineTests {
    static func models() throws -> [ModelDefinition] {
        let rls = try RLSParameters(layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: 1, delta: 1e-3)
        return [ModelDefinition(name: "rls", match: "s/", spec: .rls(rls))]
    }

    @Test("published payloads equal a fresh decode, engine step and encode; bad messages change nothing")
    func matchesReferenceAndRefusesBadInput() throws {
        var engine = PredictionEngine(models: try Self.models())
        var reference = PredictionEngine(models: try Self.models())
        var pipeline = MessagePipeline(maxMessageBytes: 4096)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        func run(_ topic: String, _ body: [UInt8]) -> MessagePipeline.Outcome {
            Array(topic.utf8).withUnsafeBytes { t in body.withUnsafeBytes { b in pipeline.handle(topic: t, body: b, engine: &engine, now: 1) } }
        }
        let bad: [(topic: String, body: [UInt8], reason: String, byEngine: Bool)] = [
            ("", Array(#"{"y":[1]}"#.utf8), "bad_topic", false),
            ("s/a", [UInt8](repeating: UInt8(ascii: " "), count: 5000), "oversized", false),
            ("s/a", Array(#"{"y":[1"#.utf8), "malformed_json", false),
            ("s/a", Array(#"{"y":[1],"stream":"s/b"}"#.utf8), "bad_field", false),
            ("s/a", Array(#"{"y":[1,2]}"#.utf8), "wrong_dimension", true),
            ("x/a", Array(#"{"y":[1]}"#.utf8), "unknown_stream", true),
        ]
        var rng = SplitMix64(seed: 9)
        for t in 0..<300 {
            for stream in ["s/a", "s/b"] {
                let message = InboundMessage(body: .observation(.series([Double.random(in: -2...2, using: &rng)])), seq: UInt64(t + 1), ts: Double(t),
                                             encoding: t % 3 == 0 ? .json : .binary)
                let body = try WireEncoder.observation(message, encoding: message.encoding)
                #expect(run(stream, body) == .publish)
                try reference.process(stream: stream, message: try WireDecoder.observation(body), now: 1, into: &out)
                #expect(pipeline.payload == (try WireEncoder.prediction(out, encoding: message.encoding)), "\(stream) t=\(t)")
            }
            let (topic, body, reason, byEngine) = bad[t % bad.count]
            switch run(topic, body) {
            case let .drop(r, message, _) where !byEngine:
                #expect(r == reason, "\(message)")
            case let .refused(r, message, _) where byEngine:
                #expect(r == reason, "\(message)")
            case let other:
                Issue.record("\(reason): got \(other)")
            }
        }
        // Refusals by the engine are counted there; nothing else differs from the engine that never saw bad input.
        #expect(engine.contexts.count == reference.contexts.count)
        #expect(engine.checkpoint(createdAt: 0).contexts == reference.checkpoint(createdAt: 0).contexts)
        #expect(engine.counters.drops["wrong_dimension", default: 0] == 50)
    }
}
