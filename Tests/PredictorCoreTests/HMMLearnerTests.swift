import RealModule
import Testing
@testable import PredictorCore

/// Forward–backward against enumeration of every hidden path, the blend formula, the segment collector, and the
/// validity of learned parameters.
@Suite struct HMMLearnerTests {
    /// Brute-force posteriors: weight(path) = π(x_0) Π C(x_t, z_t) Π A(x_t, x_{t+1}), normalised over all d^T paths.
    struct Enumerated {
        var gamma: [[Double]]
        var xi: [[Double]]
        var logLikelihood: Double
    }

    static func enumerate(_ hmm: HMMParameters, prior: [Double], symbols z: [Int]) -> Enumerated {
        let d = hmm.states, m = hmm.symbols, T = z.count
        var paths = 1
        for _ in 0..<T { paths *= d }
        var gamma = [[Double]](repeating: [Double](repeating: 0, count: d), count: T)
        var xi = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: max(T - 1, 0))
        var total = 0.0
        for code in 0..<paths {
            var x = [Int](repeating: 0, count: T), c = code
            for t in 0..<T { x[t] = c % d; c /= d }
            var w = prior[x[0]]
            for t in 0..<T {
                w *= hmm.emission[x[t] * m + z[t]]
                if t + 1 < T { w *= hmm.transition[x[t] * d + x[t + 1]] }
            }
            total += w
            for t in 0..<T { gamma[t][x[t]] += w }
            for t in 0..<(T - 1) { xi[t][x[t] * d + x[t + 1]] += w }
        }
        return Enumerated(gamma: gamma.map { $0.map { $0 / total } }, xi: xi.map { $0.map { $0 / total } },
                          logLikelihood: Double.log(total))
    }

    static func maxDiff(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test(arguments: [(2, 2, UInt64(1)), (2, 2, UInt64(2)), (3, 2, UInt64(3))])
    func posteriorsMatchEnumeration(states d: Int, symbols m: Int, seed: UInt64) throws {
        var rng = HMMTestRNG(seed: seed)
        let hmm = HMMTestSupport.randomHMM(states: d, symbols: m, rng: &rng)
        let prior = rng.distribution(d)
        let z = HMMTestSupport.sample(hmm, count: 6, rng: &rng)
        let exact = Self.enumerate(hmm, prior: prior, symbols: z)
        let post = try #require(HMMSegmentPosterior(prior: prior, symbols: z, parameters: hmm))
        var worst = 0.0
        for t in 0..<6 { worst = max(worst, Self.maxDiff(post.smoothed(at: t), exact.gamma[t])) }
        for t in 0..<5 { worst = max(worst, Self.maxDiff(post.pairwise(at: t), exact.xi[t])) }
        #expect(worst < 1e-12, "max |γ, ξ − enumeration| = \(worst)")
        #expect(abs(post.logLikelihood - exact.logLikelihood) < 1e-12)

        // The statistics are γ_0, Σ ξ_t and Σ γ_t 1[z_t = z] of the enumeration.
        let s = post.statistics()
        var trans = [Double](repeating: 0, count: d * d), emit = [Double](repeating: 0, count: d * m)
        for t in 0..<5 { for k in 0..<(d * d) { trans[k] += exact.xi[t][k] } }
        for t in 0..<6 { for x in 0..<d { emit[x * m + z[t]] += exact.gamma[t][x] } }
        #expect(Self.maxDiff(s.initial, exact.gamma[0]) < 1e-12)
        #expect(Self.maxDiff(s.transition, trans) < 1e-12)
        #expect(Self.maxDiff(s.emission, emit) < 1e-12)
    }

    @Test func posteriorRejectsImpossibleAndMalformedSegments() throws {
        let hmm = try HMMParameters(states: 2, symbols: 2, transition: [1, 0, 0, 1], emission: [1, 0, 1, 0],
                                    initial: [0.5, 0.5])
        #expect(HMMSegmentPosterior(prior: [0.5, 0.5], symbols: [0, 1], parameters: hmm) == nil)
        #expect(HMMSegmentPosterior(prior: [0.5, 0.5], symbols: [], parameters: hmm) == nil)
        #expect(HMMSegmentPosterior(prior: [0.5, 0.5], symbols: [2], parameters: hmm) == nil)
        #expect(HMMSegmentPosterior(prior: [0, 0], symbols: [0], parameters: hmm) == nil)
        #expect(HMMSegmentPosterior(prior: [1], symbols: [0], parameters: hmm) == nil)
        var learner = try HMMLearner(initial: hmm)
        let before = learner
        let bad = HMMSegment(start: [0.5, 0.5], symbols: [0, 1], startsContext: false)
        let absorbed = learner.absorb(bad, using: hmm)
        #expect(!absorbed)
        #expect(learner == before)
    }

    /// S ← (1 − η_k) S + η_k s with η_k = (k + k₀)^(−κ), S₀ = the model's pseudo-counts; μ blends only at context starts.
    @Test func blendFollowsTheStepSizeSchedule() throws {
        var rng = HMMTestRNG(seed: 11)
        let hmm = HMMTestSupport.randomHMM(states: 2, symbols: 3, rng: &rng)
        let L = 5
        var learner = try HMMLearner(initial: hmm, offset: 2, exponent: 0.6, segmentLength: L)
        var trans = hmm.transition.map { $0 * Double(L - 1) / 2 }
        var emit = hmm.emission.map { $0 * Double(L) / 2 }
        var mu = hmm.initial
        var k = 0, contexts = 0
        for i in 0..<6 {
            let startsContext = i % 3 == 0
            let start = rng.distribution(2)
            let z = HMMTestSupport.sample(hmm, count: 4, rng: &rng)
            let exact = Self.enumerate(hmm, prior: startsContext ? hmm.initial : start, symbols: z)
            let absorbed = learner.absorb(HMMSegment(start: start, symbols: z, startsContext: startsContext), using: hmm)
            #expect(absorbed)
            k += 1
            let eta = Double.pow(Double(k) + 2, -0.6)
            for x in 0..<2 {
                for y in 0..<2 {
                    let s = (0..<3).reduce(0.0) { $0 + exact.xi[$1][x * 2 + y] }
                    trans[x * 2 + y] = (1 - eta) * trans[x * 2 + y] + eta * s
                }
                for v in 0..<3 {
                    let s = (0..<4).reduce(0.0) { $0 + (z[$1] == v ? exact.gamma[$1][x] : 0) }
                    emit[x * 3 + v] = (1 - eta) * emit[x * 3 + v] + eta * s
                }
            }
            if startsContext {
                contexts += 1
                let etaC = Double.pow(Double(contexts) + 2, -0.6)
                for x in 0..<2 { mu[x] = (1 - etaC) * mu[x] + etaC * exact.gamma[0][x] }
            }
        }
        #expect(learner.contributions == 6)
        #expect(learner.contexts == 2)
        #expect(Self.maxDiff(learner.statistics.transition, trans) < 1e-12)
        #expect(Self.maxDiff(learner.statistics.emission, emit) < 1e-12)
        #expect(Self.maxDiff(learner.statistics.initial, mu) < 1e-12)
        // M-step: rows of S normalised, mixed with uniform at ε/(1+ε).
        let eps = 1e-3
        let learned = try learner.parameters(smoothing: eps)
        for x in 0..<2 {
            let r = trans[(x * 2)..<(x * 2 + 2)].reduce(0, +)
            for y in 0..<2 {
                #expect(abs(learned.transition[x * 2 + y] - (trans[x * 2 + y] / r + eps / 2) / (1 + eps)) < 1e-14)
            }
        }
    }

    @Test func configuredModelIsTheStartingPoint() throws {
        var rng = HMMTestRNG(seed: 5)
        let hmm = HMMTestSupport.randomHMM(states: 3, symbols: 4, rng: &rng)
        let learner = try HMMLearner(initial: hmm)
        let p = try learner.parameters()
        #expect(HMMLearner.materialChange(from: hmm, to: p) < 1e-6)
        #expect(p.values == hmm.values)
        #expect(learner.contributions == 0 && learner.contexts == 0)
        #expect(HMMLearner.materialChange(from: hmm, to: hmm) == 0)
        let other = HMMTestSupport.randomHMM(states: 2, symbols: 4, rng: &rng)
        #expect(HMMLearner.materialChange(from: hmm, to: other) == .infinity)
    }

    @Test func invalidSettingsAreRefused() throws {
        var rng = HMMTestRNG(seed: 6)
        let hmm = HMMTestSupport.randomHMM(states: 2, symbols: 2, rng: &rng)
        #expect(throws: ParameterError.self) { try HMMLearner(initial: hmm, exponent: 0.5) }
        #expect(throws: ParameterError.self) { try HMMLearner(initial: hmm, exponent: 1.01) }
        #expect(throws: ParameterError.self) { try HMMLearner(initial: hmm, offset: -1) }
        #expect(throws: ParameterError.self) { try HMMLearner(initial: hmm, offset: .nan) }
        #expect(throws: ParameterError.self) { try HMMLearner(initial: hmm, segmentLength: 0) }
        let learner = try HMMLearner(initial: hmm, exponent: 1)
        for eps in [0.0, -1e-6, .nan, .infinity] {
            #expect(throws: ParameterError.self) { try learner.parameters(smoothing: eps) }
        }
        #expect(throws: ParameterError.self) { try HMMSegmentCollector(length: 0, start: [1]) }
    }

    /// Degenerate data (one symbol forever, a zero-probability row in the model) still gives a valid model with no
    /// zero probability: built through the validating initialiser, rows sum to 1.
    @Test func learnedParametersAreAlwaysValid() throws {
        let hmm = try HMMParameters(states: 3, symbols: 3, transition: [1, 0, 0, 0, 1, 0, 0, 0, 1],
                                    emission: [1, 0, 0, 0, 1, 0, 0, 0, 1], initial: [1, 0, 0])
        var learner = try HMMLearner(initial: hmm, exponent: 0.51, segmentLength: 2)
        var current = try learner.parameters()
        var rng = HMMTestRNG(seed: 9)
        for i in 0..<400 {
            let z = i < 300 ? [Int](repeating: 0, count: 1 + i % 7) : (0..<8).map { _ in rng.draw([0.2, 0.3, 0.5]) }
            let start = i % 5 == 0 ? [0.0, 0.0, 1.0] : rng.distribution(3)
            let absorbed = learner.absorb(HMMSegment(start: start, symbols: z, startsContext: i % 4 == 0), using: current)
            #expect(absorbed)
            for eps in [1e-12, 1e-6, 0.5] {
                let p = try learner.parameters(smoothing: eps)
                for row in 0..<3 {
                    for v in [p.transition, p.emission] {
                        let r = v[(row * 3)..<(row * 3 + 3)]
                        #expect(r.allSatisfy { $0 > 0 })
                        #expect(abs(r.reduce(0, +) - 1) < 1e-12)
                    }
                }
                #expect(p.initial.allSatisfy { $0 > 0 } && abs(p.initial.reduce(0, +) - 1) < 1e-12)
            }
            current = try learner.parameters()
        }
        #expect(learner.contributions == 400)
        #expect(learner.contexts == 100)
    }

    /// Segments of L symbols with π at their first symbol (from the reference forward recursion); a reset flushes the
    /// partial segment and begins a context-start one.
    @Test func collectorCutsSegmentsAtTheRightMeasures() throws {
        var rng = HMMTestRNG(seed: 21)
        let hmm = HMMTestSupport.randomHMM(states: 3, symbols: 4, rng: &rng)
        let z = HMMTestSupport.sample(hmm, count: 150, rng: &rng)
        let pis = HMMTestSupport.referenceForward(hmm, z)
        var collector = try HMMSegmentCollector(length: 64, start: hmm.initial)
        var filter = ForwardFilter(parameters: hmm)
        var prediction = Prediction()
        var segments = [HMMSegment]()
        for s in z {
            try filter.observe(.symbol(s), into: &prediction)
            if let seg = collector.append(s, next: filter.state.predictive) { segments.append(seg) }
        }
        #expect(segments.count == 2)
        #expect(collector.pending?.symbols == Array(z[128...]))
        let flushedOrNil = collector.reset(to: hmm.initial)
        let flushed = try #require(flushedOrNil)
        segments.append(flushed)
        #expect(collector.pending == nil && collector.startsContext)
        #expect(segments.map(\.symbols) == [Array(z[0..<64]), Array(z[64..<128]), Array(z[128...])])
        #expect(segments.map(\.startsContext) == [true, false, false])
        for (i, seg) in segments.enumerated() {
            #expect(Self.maxDiff(seg.start, pis[64 * i]) < 1e-14)
        }
        let empty = collector.reset(to: hmm.initial)
        #expect(empty == nil)
        _ = collector.append(1, next: hmm.initial)
        #expect(collector.pending == HMMSegment(start: hmm.initial, symbols: [1], startsContext: true))
        try collector.validate(for: hmm)
        var writer = ByteWriter()
        collector.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try HMMSegmentCollector(from: &reader) == collector)
        #expect(reader.isAtEnd)
        for cut in 0..<writer.bytes.count {
            var r = ByteReader(Array(writer.bytes[0..<cut]))
            #expect(throws: StateDecodingError.self) { try HMMSegmentCollector(from: &r) }
        }
    }
}
