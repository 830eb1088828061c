import PredictorCore
import PredictorWire
import Testing
@testable import PredictorEngine

@Suite struct PredictionEngineTests {
    static func rls(_ name: String, match: String, lambda: Double = 1) throws -> ModelDefinition {
        ModelDefinition(name: name, match: match, spec: .rls(try RLSParameters(
            layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: lambda, delta: 1e-3, priorMean: nil)))
    }

    static func series(_ y: Double, seq: UInt64? = nil) -> InboundMessage {
        InboundMessage(body: .observation(.series([y])), seq: seq, encoding: .json)
    }

    static func run(_ engine: inout PredictionEngine, _ stream: String, _ message: InboundMessage) -> Result<Prediction, EngineDrop> {
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        do {
            try engine.process(stream: stream, message: message, now: 0, into: &out)
            return .success(out.prediction)
        } catch {
            return .failure(error)
        }
    }

    @Test func longestPrefixWins() throws {
        let router = ModelRouter(models: [try Self.rls("all", match: ""), try Self.rls("a", match: "a/"), try Self.rls("ab", match: "a/b/")])
        #expect(router.route("a/b/c") == 2)
        #expect(router.route("a/x") == 1)
        #expect(router.route("zzz") == 0)
        let strict = ModelRouter(models: [try Self.rls("a", match: "a/")])
        #expect(strict.route("b/1") == nil)
    }

    /// Bad messages on one stream are dropped and counted, and every other stream's predictions stay bit-identical
    /// to an engine that never saw them.
    @Test func badInputNeverTouchesOtherContexts() throws {
        let models = [try Self.rls("s", match: "s/")]
        var clean = PredictionEngine(models: models)
        var dirty = PredictionEngine(models: models)
        let bad: [(String, InboundMessage)] = [
            ("s/1", InboundMessage(body: .observation(.series([1, 2])), encoding: .json)),      // wrong dimension
            ("s/1", InboundMessage(body: .observation(.symbol(1)), encoding: .json)),           // wrong kind
            ("s/1", InboundMessage(body: .observation(.series([.nan])), encoding: .binary)),    // NaN
            ("zz/1", Self.series(1)),                                                           // unknown stream
            ("s/2", Self.series(5, seq: 1)),                                                    // seq going back (after seq 3)
        ]
        for t in 0..<40 {
            for s in ["s/1", "s/2"] {
                let y = Double(t % 7) * 0.3 + (s == "s/2" ? 1 : 0)
                let a = Self.run(&clean, s, Self.series(y, seq: UInt64(t + 2)))
                if t == 3, s == "s/1" { for (stream, message) in bad { _ = Self.run(&dirty, stream, message) } }
                let b = Self.run(&dirty, s, Self.series(y, seq: UInt64(t + 2)))
                let pa = try a.get(), pb = try b.get()
                #expect(pa.isBitwiseEqual(to: pb), "stream \(s) step \(t)")
            }
        }
        #expect(dirty.counters.drops == ["wrong_dimension": 1, "wrong_kind": 1, "non_finite": 1, "unknown_stream": 1, "seq_not_increasing": 1])
        #expect(dirty.contexts.count == 2)
        #expect(clean.counters.totalDrops == 0)
    }

    @Test func sequenceNumbers() throws {
        var engine = PredictionEngine(models: [try Self.rls("s", match: "")])
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        try engine.process(stream: "x", message: Self.series(1, seq: 10), now: 0, into: &out)
        #expect(out.seq == 11)
        #expect(throws: EngineDrop.self) { try engine.process(stream: "x", message: Self.series(1, seq: 10), now: 0, into: &out) }
        try engine.process(stream: "x", message: Self.series(1, seq: 14), now: 0, into: &out)
        #expect(engine.counters.seqGaps == 3)
        // A reset must increase seq too (docs/protocol.md): `{"reset":true,"seq":5}` after seq 14 is dropped, the stream untouched.
        #expect(throws: EngineDrop.self) {
            try engine.process(stream: "x", message: InboundMessage(body: .reset, seq: 5, encoding: .json), now: 0, into: &out)
        }
        #expect(engine.contexts["x"]?.lastSeq == 14 && engine.counters.drops["seq_not_increasing"] == 2)
        // A reset without seq starts the stream and its numbering over: a lower seq is accepted afterwards.
        try engine.process(stream: "x", message: InboundMessage(body: .reset, encoding: .json), now: 0, into: &out)
        #expect(out.prediction.count == 0)
        try engine.process(stream: "x", message: Self.series(1, seq: 1), now: 0, into: &out)
        #expect(out.prediction.count == 1)
    }

    @Test func contextLimitRefusesNewStreamsOnlyAndRefusedFirstMessagesLeaveNoContext() throws {
        var engine = PredictionEngine(models: [try Self.rls("s", match: "")], limits: EngineLimits(maxContexts: 2, idleTTL: 10))
        _ = Self.run(&engine, "a", Self.series(1))
        _ = Self.run(&engine, "b", InboundMessage(body: .observation(.series([1, 2])), encoding: .json))
        #expect(engine.contexts.count == 1)
        _ = Self.run(&engine, "b", Self.series(1))
        guard case let .failure(drop) = Self.run(&engine, "c", Self.series(1)) else { Issue.record("expected a drop"); return }
        #expect(drop.reason == "context_limit")
        #expect(throws: Never.self) { try Self.run(&engine, "a", Self.series(2)).get() }
        #expect(engine.evictIdle(now: 11) == 2)
        #expect(engine.contexts.isEmpty)
    }

    @Test func reloadServesNewStreamsAndKeepsExistingContexts() throws {
        var engine = PredictionEngine(models: [try Self.rls("s", match: "", lambda: 1)])
        var reference = PredictionEngine(models: [try Self.rls("s", match: "", lambda: 1)])
        _ = Self.run(&engine, "old", Self.series(1)); _ = Self.run(&reference, "old", Self.series(1))
        #expect(engine.reload(models: [try Self.rls("s", match: "", lambda: 1)]).isEmpty)
        #expect(engine.reload(models: [try Self.rls("s", match: "", lambda: 0.9)]) == ["s"])
        _ = Self.run(&engine, "new", Self.series(1))
        for y in [2.0, 3, 5, 4, 1] {
            let a = try Self.run(&engine, "old", Self.series(y)).get(), b = try Self.run(&reference, "old", Self.series(y)).get()
            #expect(a.isBitwiseEqual(to: b))
            _ = Self.run(&engine, "new", Self.series(y))
        }
        #expect(engine.models[engine.contexts["new"]!.model].spec == .rls(try RLSParameters(
            layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: 0.9, delta: 1e-3, priorMean: nil)))
        #expect(engine.contexts["old"]!.model == 0)
    }
}
