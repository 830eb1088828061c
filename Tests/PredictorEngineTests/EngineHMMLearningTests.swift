import PredictorCore
import PredictorWire
import RealModule
import Testing
@testable import PredictorEngine

/// `learn: true` on `forward` and `dual` models: streams drawn from a known HMM teach the engine A, C, μ by online
/// EM, starting from a perturbed model; checked against the true model's likelihood, computed independently here.
@Suite struct EngineHMMLearningTests {
    /// Sticky transitions, well separated emissions (d = 3, m = 4).
    static let truth = try! HMMParameters(
        states: 3, symbols: 4,
        transition: [0.90, 0.06, 0.04, 0.05, 0.90, 0.05, 0.08, 0.07, 0.85],
        emission: [0.70, 0.20, 0.05, 0.05, 0.05, 0.15, 0.75, 0.05, 0.05, 0.05, 0.15, 0.75],
        initial: [0.6, 0.3, 0.1])

    /// Every row of `p` mixed half and half with the uniform row.
    static func perturbed(_ p: HMMParameters) throws -> HMMParameters {
        func mix(_ v: [Double], _ n: Int) -> [Double] { v.map { 0.5 * $0 + 0.5 / Double(n) } }
        return try HMMParameters(states: p.states, symbols: p.symbols, transition: mix(p.transition, p.states),
                                 emission: mix(p.emission, p.symbols), initial: mix(p.initial, p.states))
    }

    /// One draw from the probability vector v[offset..<offset+n].
    static func draw(_ v: [Double], _ offset: Int, _ n: Int, _ rng: inout EngineLearningTests.Rng) -> Int {
        var u = Double(rng.next() >> 11) * 0x1p-53
        for i in 0..<n {
            u -= v[offset + i]
            if u < 0 { return i }
        }
        return n - 1
    }

    /// z_0..z_{T−1} sampled from the HMM.
    static func sample(_ h: HMMParameters, count: Int, _ rng: inout EngineLearningTests.Rng) -> [Int] {
        var x = draw(h.initial, 0, h.states, &rng)
        return (0..<count).map { _ in
            let z = draw(h.emission, x * h.symbols, h.symbols, &rng)
            x = draw(h.transition, x * h.states, h.states, &rng)
            return z
        }
    }

    /// log P(z) by the unnormalised forward recursion in log space (independent of the package's filters).
    static func logLikelihood(_ h: HMMParameters, _ z: [Int]) -> Double {
        let d = h.states, m = h.symbols
        var la = h.initial.map { Double.log($0) }
        for s in z {
            la = (0..<d).map { y in
                let terms = (0..<d).map { x in la[x] + Double.log(h.emission[x * m + s]) + Double.log(h.transition[x * d + y]) }
                let top = terms.max()!
                return top + Double.log(terms.reduce(0) { $0 + Double.exp($1 - top) })
            }
        }
        let top = la.max()!
        return top + Double.log(la.reduce(0) { $0 + Double.exp($1 - top) })
    }

    static func engine(kind: String, start: HMMParameters, learn: Bool, refresh: Int = 4) throws -> PredictionEngine {
        let spec: ModelSpec = kind == "dual" ? .dual(try DualFilterParameters(hmm: start, window: 24)) : .forward(start)
        return PredictionEngine(models: [ModelDefinition(
            name: "hmm", match: "", spec: spec,
            learning: LearningOptions(enabled: learn, segmentLength: 64, refreshInterval: refresh))])
    }

    static func symbol(_ z: Int) -> InboundMessage {
        InboundMessage(body: .observation(.symbol(z)), encoding: .json)
    }

    /// Runs `streams` interleaved, `concurrent` at a time, one observation per stream per round; returns Σ surprise.
    static func interleave<T>(_ engine: inout PredictionEngine, _ streams: [[T]], prefix: String, concurrent: Int,
                              message: (T) -> InboundMessage) throws -> Double {
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var surprise = 0.0
        for wave in stride(from: 0, to: streams.count, by: concurrent) {
            let ids = wave..<min(wave + concurrent, streams.count)
            for t in 0..<streams[wave].count {
                for id in ids {
                    try engine.process(stream: "\(prefix)\(id)", message: message(streams[id][t]), now: 0, into: &out)
                    surprise += out.prediction.surprise
                }
            }
        }
        return surprise
    }

    /// ``interleave(_:_:prefix:concurrent:message:)`` over symbol streams.
    static func run(_ engine: inout PredictionEngine, _ streams: [[Int]], prefix: String, concurrent: Int) throws -> Double {
        try interleave(&engine, streams, prefix: prefix, concurrent: concurrent, message: symbol)
    }

    @Test("learned A, C, μ reach the true model's held-out per-token log-likelihood within 1 %", arguments: ["forward", "dual"])
    func learnsTheTrueLikelihood(kind: String) throws {
        let start = try Self.perturbed(Self.truth)
        var rng = EngineLearningTests.Rng(s: 2026)
        let training = (0..<200).map { _ in Self.sample(Self.truth, count: 500, &rng) }
        let heldOut = (0..<40).map { _ in Self.sample(Self.truth, count: 500, &rng) }
        let tokens = Double(40 * 500)

        var learning = try Self.engine(kind: kind, start: start, learn: true)
        _ = try Self.run(&learning, training, prefix: "train/", concurrent: 50)
        let learner = try #require(learning.learning.hmm.models["hmm"])
        #expect(learner.learner.contexts == 200, "every training stream's first segment teaches μ")
        #expect(learner.learner.contributions == 200 * (500 / 64), "full segments only: the streams have not ended")
        #expect(learner.publications == learner.learner.contributions / 4)

        let llTrue = heldOut.reduce(0.0) { $0 + Self.logLikelihood(Self.truth, $1) } / tokens
        let llStart = heldOut.reduce(0.0) { $0 + Self.logLikelihood(start, $1) } / tokens
        let llLearned = heldOut.reduce(0.0) { $0 + Self.logLikelihood(learner.published, $1) } / tokens
        // Through the engine: held-out streams are new contexts, predicted with the learned (and still learning) model.
        let llEngine = -(try Self.run(&learning, heldOut, prefix: "test/", concurrent: 40)) / tokens
        var plain = try Self.engine(kind: kind, start: start, learn: false)
        let llPlain = -(try Self.run(&plain, heldOut, prefix: "test/", concurrent: 40)) / tokens
        print("engine HMM learning (\(kind)): held-out per-token LL true \(llTrue), learned \(llLearned), "
              + "through the engine \(llEngine), perturbed start \(llStart) (engine without learning \(llPlain))")
        #expect(abs(llLearned - llTrue) <= 0.01 * abs(llTrue))
        #expect(abs(llEngine - llTrue) <= 0.01 * abs(llTrue))
        #expect(llPlain < llTrue - 0.01 * abs(llTrue), "the perturbed start must be clearly worse")
        if kind == "forward" { #expect(abs(llPlain - llStart) <= 1e-9 * abs(llStart), "engine and reference agree") }
        #expect(plain.learning.hmm.models.isEmpty && plain.learning.hmm.contexts.isEmpty)
    }

    @Test("contexts take a publication at their next observation and keep their π; resets restart from the published μ")
    func switchingRule() throws {
        let start = try Self.perturbed(Self.truth)
        var engine = try Self.engine(kind: "forward", start: start, learn: true, refresh: 2)
        var rng = EngineLearningTests.Rng(s: 7)
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        let old = Self.sample(Self.truth, count: 10, &rng)
        for z in old { try engine.process(stream: "old", message: Self.symbol(z), now: 0, into: &out) }
        #expect(engine.learning.hmm.models["hmm"]?.publications == 0)
        // Two segments of 64 from another stream: one publication.
        for z in Self.sample(Self.truth, count: 128, &rng) { try engine.process(stream: "teacher", message: Self.symbol(z), now: 0, into: &out) }
        let learner = try #require(engine.learning.hmm.models["hmm"])
        #expect(learner.publications == 1 && learner.learner.contributions == 2)
        let published = learner.published
        #expect(published != start)
        // "old" still filters with the configured model until its next observation, then with the published one,
        // continuing from its π: check one step against the textbook forward step under the published parameters.
        guard case let .forward(box) = engine.contexts["old"]!.predictor else { Issue.record("not forward"); return }
        let before = box.value
        #expect(before.parameters == start)
        let pi = before.state.predictive, z = 2, d = 3, m = 4
        let p = (0..<d).reduce(0.0) { $0 + pi[$1] * published.emission[$1 * m + z] }
        let next = (0..<d).map { y in (0..<d).reduce(0.0) { $0 + pi[$1] * published.emission[$1 * m + z] * published.transition[$1 * d + y] } / p }
        // Its surprise scores z against the law its subscribers were sent, π C under the configured C (issue 10,
        // item 7), not against the published parameters' law π C' that the filter steps with.
        let sent = (0..<d).reduce(0.0) { $0 + pi[$1] * start.emission[$1 * m + z] }
        #expect(abs(sent - p) > 1e-3, "the switch must change the law for this check to bite")
        try engine.process(stream: "old", message: Self.symbol(z), now: 0, into: &out)
        #expect(abs(out.prediction.surprise + Double.log(sent)) < 1e-12)
        for k in 0..<m {
            let expected = (0..<d).reduce(0.0) { $0 + next[$1] * published.emission[$1 * m + k] }
            #expect(abs(out.prediction.probabilities[k] - expected) < 1e-12)
        }
        // "old" collects its 11 symbols as its context-start segment (not full yet).
        #expect(engine.learning.hmm.contexts["old"]?.collector?.symbols.count == 11)
        // A new stream's prior prediction is the published μ through the published C.
        try engine.process(stream: "new", message: InboundMessage(body: .reset, encoding: .json), now: 0, into: &out)
        for k in 0..<m {
            let expected = (0..<d).reduce(0.0) { $0 + published.initial[$1] * published.emission[$1 * m + k] }
            #expect(abs(out.prediction.probabilities[k] - expected) < 1e-12)
        }
        // A reset absorbs the partial segment (5 symbols of a context start: μ learns from it) and rejoins.
        for z in Self.sample(Self.truth, count: 5, &rng) { try engine.process(stream: "new", message: Self.symbol(z), now: 0, into: &out) }
        let contexts = engine.learning.hmm.models["hmm"]!.learner.contexts
        try engine.process(stream: "new", message: InboundMessage(body: .reset, encoding: .json), now: 0, into: &out)
        #expect(engine.learning.hmm.models["hmm"]!.learner.contexts == contexts + 1)
        #expect(engine.learning.hmm.contexts["new"]?.collector?.symbols == [])
        try engine.process(stream: "old", message: InboundMessage(body: .reset, encoding: .json), now: 0, into: &out)
        #expect(engine.learning.hmm.models["hmm"]!.learner.contexts == contexts + 2)
        // Parameters of another shape are refused, leaving the filter as it was.
        let other = try HMMParameters(states: 2, symbols: 4, transition: [0.5, 0.5, 0.5, 0.5],
                                      emission: [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25], initial: [0.5, 0.5])
        var filter = ForwardFilter(parameters: start), dual = DualFilter(parameters: try DualFilterParameters(hmm: start, window: 3))
        #expect(!filter.adopt(other) && filter.parameters == start)
        #expect(!dual.adopt(other) && dual.parameters.hmm == start)
        #expect(filter.adopt(published) && filter.parameters == published && dual.adopt(published) && dual.parameters.window == 3)
        // A refused first message leaves nothing behind; eviction absorbs and forgets.
        #expect(throws: EngineDrop.self) { try engine.process(stream: "bad", message: Self.symbol(9), now: 0, into: &out) }
        #expect(engine.learning.hmm.contexts["bad"] == nil)
        var evicting = PredictionEngine(models: engine.models, limits: EngineLimits(maxContexts: 10, idleTTL: 5))
        for z in [0, 1, 2] { try evicting.process(stream: "e", message: Self.symbol(z), now: 0, into: &out) }
        evicting.evictIdle(now: 10)
        #expect(evicting.learning.hmm.contexts.isEmpty)
        #expect(evicting.learning.hmm.models["hmm"]?.learner.contexts == 1)
    }

    @Test("learning depends only on message order: two engines fed the same messages agree bit for bit")
    func deterministic() throws {
        let start = try Self.perturbed(Self.truth)
        var rng = EngineLearningTests.Rng(s: 99)
        let streams = (0..<12).map { _ in Self.sample(Self.truth, count: 150, &rng) }
        var a = try Self.engine(kind: "dual", start: start, learn: true, refresh: 1)
        var b = a
        let la = try Self.run(&a, streams, prefix: "s", concurrent: 5)
        let lb = try Self.run(&b, streams, prefix: "s", concurrent: 5)
        #expect(la.bitPattern == lb.bitPattern)
        #expect(a.learning.hmm.models == b.learning.hmm.models)
        #expect(a.learning.hmm.models["hmm"]!.publications > 0)
    }
}
