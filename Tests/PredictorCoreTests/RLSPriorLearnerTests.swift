import Testing
@testable import PredictorCore
import PredictordTestSupport

/// Streams share a weight vector w* plus per-stream deviations: learning w₀ across contexts must lower the error
/// of new contexts over their first 2p observations compared with the zero prior.
@Suite struct RLSPriorLearnerTests {
    struct Rng {
        var base: SplitMix64
        init(s: UInt64) { base = SplitMix64(seed: s) }
        mutating func next() -> UInt64 { base.next() }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-300), v = uniform()
            return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
        }
    }

    @Test func learnedPriorBeatsZeroPriorOnEarlyObservations() throws {
        let p = 4
        let base = try RLSParameters(layout: .explicit(dimension: p), outputs: 1, lambda: 1, delta: 1.0)
        var learner = try RLSPriorLearner(initialMean: base.priorMean, minimumPairs: 3 * p)
        var rng = Rng(s: 42)
        let shared = [1.5, -2.0, 0.7, 3.0]
        var errLearned = 0.0, errZero = 0.0, scored = 0
        for context in 0..<200 {
            let w = shared.map { $0 + 0.1 * rng.normal() }
            var learned = RLSPredictor(parameters: learner.parameters(from: base))
            var zero = RLSPredictor(parameters: base)
            var a = Prediction(), b = Prediction()
            for t in 0..<(6 * p) {
                let x = (0..<p).map { _ in rng.normal() }
                let y = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 } + 0.05 * rng.normal()
                try learned.observe(.labelled(x: x, y: [y]), into: &a)
                try zero.observe(.labelled(x: x, y: [y]), into: &b)
                if context >= 100, t < 2 * p {
                    errLearned += a.error[0] * a.error[0]
                    errZero += b.error[0] * b.error[0]
                    scored += 1
                }
            }
            if learner.isReady(learned.state) { learner.absorb(weights: learned.state.weights) }
        }
        #expect(learner.contributions == 200)
        for i in 0..<p { #expect(abs(learner.mean[i] - shared[i]) < 0.05, "w0[\(i)] = \(learner.mean[i])") }
        #expect(errLearned < 0.1 * errZero, "learned prior MSE \(errLearned / Double(scored)) vs zero prior \(errZero / Double(scored))")
    }

    @Test func runningMeanAndExactRoundTrip() throws {
        var learner = try RLSPriorLearner(initialMean: [9, 9], minimumPairs: 1)
        learner.absorb(weights: [1, 2])
        learner.absorb(weights: [3, 6])
        learner.absorb(weights: [.nan, 0])
        #expect(learner.mean == [2, 4])
        #expect(learner.contributions == 2)
        var writer = ByteWriter()
        learner.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try RLSPriorLearner(from: &reader) == learner)
        var truncated = ByteReader(Array(writer.bytes.dropLast()))
        #expect(throws: StateDecodingError.self) { try RLSPriorLearner(from: &truncated) }
        #expect(throws: ParameterError.self) { try RLSPriorLearner(initialMean: [0], minimumPairs: 0) }
    }
}
