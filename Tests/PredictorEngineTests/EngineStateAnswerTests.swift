import PredictorCore
import PredictorWire
import PredictordState
import PredictordTestSupport
import Testing
@testable import PredictorEngine

/// `{"state":true}`: the answer carries the stream's last absorbed seq (+1, as every prediction's seq) and n, and
/// changes nothing (the engine's checkpoint bytes are identical before and after, its idle clock included).
@Suite struct EngineStateAnswerTests {
    static func models() throws -> [ModelDefinition] {
        [
            try PredictionEngineTests.rls("s", match: "s/"),
            ModelDefinition(name: "h", match: "h/", spec: .forward(try HMMParameters(
                states: 2, symbols: 2, transition: [0.9, 0.1, 0.2, 0.8], emission: [0.7, 0.3, 0.4, 0.6], initial: [0.5, 0.5]))),
        ]
    }

    @Test func answerEqualsTheLastPublishedStateAndChangesNothing() throws {
        var engine = PredictionEngine(models: try Self.models())
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var rng = SplitMix64(seed: 12)
        // The reference: what the test itself sent and what the engine last published per stream.
        var lastSeq: [String: UInt64] = [:], sent: [String: Int] = [:], published: [String: OutboundPrediction] = [:]
        for t in 1...200 {
            let stream = ["s/a", "s/b", "h/a"][Int.random(in: 0..<3, using: &rng)]
            let seq = (lastSeq[stream] ?? 0) + UInt64.random(in: 1...3, using: &rng)
            let body: InboundMessage.Body = stream.hasPrefix("h/") ? .observation(.symbol(Int.random(in: 0...1, using: &rng)))
                : .observation(.series([Double.random(in: -1...1, using: &rng)]))
            try engine.process(stream: stream, message: InboundMessage(body: body, seq: seq, encoding: .json), now: Double(t), into: &out)
            lastSeq[stream] = seq
            sent[stream, default: 0] += 1
            published[stream] = out
        }
        let before = CheckpointCodec.encode(engine, createdAt: 1)
        let counted = engine.counters.observations
        for stream in ["s/a", "s/b", "h/a"] {
            try engine.process(stream: stream, message: InboundMessage(body: .state, seq: 1, ts: 5, encoding: .json), now: 10_000, into: &out)
            #expect(out.isState && out.stream == stream && out.ts == 5)
            #expect(out.seq == lastSeq[stream]! + 1, "\(stream): seq \(String(describing: out.seq))")
            #expect(out.prediction.count == sent[stream]!, "\(stream): n \(out.prediction.count), sent \(sent[stream]!)")
            let last = try #require(published[stream])
            #expect(out.prediction.mean.map(\.bitPattern) == last.prediction.mean.map(\.bitPattern), "\(stream)")
            #expect(out.prediction.probabilities.map(\.bitPattern) == last.prediction.probabilities.map(\.bitPattern), "\(stream)")
            #expect(out.model == last.model)
        }
        #expect(CheckpointCodec.encode(engine, createdAt: 1) == before, "a state question changed the engine")
        #expect(engine.counters.observations == counted)
        // The next observation goes on as if nothing had been asked (a seq below the last is still refused).
        #expect(throws: EngineDrop.self) {
            try engine.process(stream: "s/a", message: InboundMessage(body: .observation(.series([1])), seq: lastSeq["s/a"]!, encoding: .json), now: 1, into: &out)
        }
    }

    @Test func absentStreamAnswersThePriorWithoutCreatingIt() throws {
        var engine = PredictionEngine(models: try Self.models())
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        out.isState = true
        try engine.process(stream: "s/new", message: InboundMessage(body: .state, encoding: .binary), now: 1, into: &out)
        #expect(out.isState && out.seq == nil && out.prediction.count == 0 && out.model == "rls")
        #expect(engine.contexts.isEmpty && engine.counters.contextsCreated == 0)
        // Equal to what a fresh stream's reset publishes (the prior prediction).
        var reset = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var other = PredictionEngine(models: try Self.models())
        try other.process(stream: "s/new", message: InboundMessage(body: .reset, encoding: .binary), now: 1, into: &reset)
        #expect(reset.prediction.mean.map(\.bitPattern) == out.prediction.mean.map(\.bitPattern))
        #expect(reset.prediction.variance.map(\.bitPattern) == out.prediction.variance.map(\.bitPattern))
        #expect(!reset.isState, "an ordinary prediction is not marked")
        let error = #expect(throws: EngineDrop.self) {
            try engine.process(stream: "zz/1", message: InboundMessage(body: .state, encoding: .json), now: 1, into: &out)
        }
        #expect(error?.reason == "unknown_stream")
    }
}
