import PredictorCore
import PredictorWire
import Testing
@testable import PredictorEngine

/// Topic length, vector length and contexts per `match` prefix: each breach is dropped with its own reason and
/// leaves every context as it was.
@Suite struct EngineLimitsTests {
    typealias T = PredictionEngineTests

    @Test func topicAndVectorLimitsDropBeforeAnyModelSeesTheMessage() throws {
        let pairs = ModelDefinition(name: "p", match: "p/", spec: .rls(try RLSParameters(
            layout: .explicit(dimension: 2), outputs: 1, lambda: 1, delta: 1e-3, priorMean: nil)))
        var engine = PredictionEngine(models: [try T.rls("s", match: "s/"), pairs],
                                      limits: EngineLimits(maxTopicBytes: 8, maxVectorLength: 2))
        #expect(throws: Never.self) { try T.run(&engine, "s/123456", T.series(1)).get() }   // exactly 8 bytes
        guard case let .failure(topic) = T.run(&engine, "s/1234567", T.series(1)) else { Issue.record("expected a drop"); return }
        #expect(topic.reason == "topic_too_long" && topic.message.contains("limits.max_topic_bytes = 8"))
        let wide = InboundMessage(body: .observation(.labelled(x: [1, 2, 3], y: [1])), encoding: .json)
        guard case let .failure(vector) = T.run(&engine, "p/a", wide) else { Issue.record("expected a drop"); return }
        // vector_too_long, not the model's wrong_dimension: the limit is checked first.
        #expect(vector.reason == "vector_too_long" && vector.message.contains("3 components"))
        let query = InboundMessage(body: .query(x: [1, 2, 3]), encoding: .json)
        #expect(T.run(&engine, "s/123456", query).failureReason == "vector_too_long")
        let tallY = InboundMessage(body: .observation(.series([1, 2, 3])), encoding: .json)
        #expect(T.run(&engine, "s/123456", tallY).failureReason == "vector_too_long")
        #expect(engine.counters.drops == ["topic_too_long": 1, "vector_too_long": 3])
        #expect(engine.contexts.keys.sorted() == ["s/123456"], "refused messages created no context")
    }

    @Test func contextsPerPrefixAreBoundedSeparatelyAndFreedByEvictionAndRefusal() throws {
        var engine = PredictionEngine(models: [try T.rls("a", match: "a/"), try T.rls("b", match: "b/")],
                                      limits: EngineLimits(idleTTL: 10, maxContextsPerPrefix: 2))
        _ = T.run(&engine, "a/1", T.series(1))
        // A refused first message (wrong dimension) must not hold a slot.
        #expect(T.run(&engine, "a/2", InboundMessage(body: .observation(.series([1, 2])), encoding: .json)).failureReason == "wrong_dimension")
        _ = T.run(&engine, "a/2", T.series(1))
        let refused = T.run(&engine, "a/3", T.series(1))
        #expect(refused.failureReason == "prefix_context_limit")
        #expect(T.run(&engine, "b/1", T.series(1)).failureReason == nil, "another prefix keeps its own room")
        #expect(T.run(&engine, "a/1", T.series(2)).failureReason == nil, "existing contexts are served")
        #expect(engine.evictIdle(now: 11) == 3)
        #expect(T.run(&engine, "a/3", T.series(1)).failureReason == nil, "eviction frees the prefix's slots")
        #expect(engine.counters.drops == ["wrong_dimension": 1, "prefix_context_limit": 1])
    }

    @Test func restoredContextsCountTowardsTheirPrefix() throws {
        var source = PredictionEngine(models: [try T.rls("a", match: "a/")])
        _ = T.run(&source, "a/1", T.series(1))
        _ = T.run(&source, "a/2", T.series(1))
        var engine = PredictionEngine(models: [try T.rls("a", match: "a/")], limits: EngineLimits(maxContextsPerPrefix: 2))
        for (stream, context) in source.contexts { engine.restore(stream: stream.string, context: context) }
        engine.restore(stream: "a/1", context: source.contexts["a/1"]!)   // replacing one does not count twice
        #expect(T.run(&engine, "a/3", T.series(1)).failureReason == "prefix_context_limit")
        engine.removeAllContexts()
        #expect(T.run(&engine, "a/3", T.series(1)).failureReason == nil)
    }
}

extension Result where Failure == EngineDrop {
    /// The drop reason, or nil on success.
    var failureReason: String? {
        if case let .failure(drop) = self { return drop.reason }
        return nil
    }
}
