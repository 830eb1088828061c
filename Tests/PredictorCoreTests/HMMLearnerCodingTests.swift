import Testing
@testable import PredictorCore

/// The learner is slow memory persisted in checkpoints: it must round-trip bit for bit and refuse corrupt bytes.
@Suite struct HMMLearnerCodingTests {
    static func trainedLearner() throws -> HMMLearner {
        var rng = HMMTestRNG(seed: 77)
        let hmm = HMMTestSupport.randomHMM(states: 3, symbols: 4, rng: &rng)
        var learner = try HMMLearner(initial: hmm, offset: 1.5, exponent: 0.75, segmentLength: 16)
        for i in 0..<20 {
            let z = HMMTestSupport.sample(hmm, count: 16, rng: &rng)
            learner.absorb(HMMSegment(start: rng.distribution(3), symbols: z, startsContext: i % 3 == 0),
                           using: try learner.parameters())
        }
        return learner
    }

    static func bitPatterns(_ v: [Double]) -> [UInt64] { v.map(\.bitPattern) }

    @Test func roundTripIsExact() throws {
        let learner = try Self.trainedLearner()
        let bytes = HMMTestSupport.encode(learner)
        var reader = ByteReader(bytes)
        let back = try HMMLearner(from: &reader)
        #expect(reader.isAtEnd)
        #expect(back == learner)
        #expect(Self.bitPatterns(back.statistics.transition) == Self.bitPatterns(learner.statistics.transition))
        #expect(Self.bitPatterns(back.statistics.emission) == Self.bitPatterns(learner.statistics.emission))
        #expect(Self.bitPatterns(back.statistics.initial) == Self.bitPatterns(learner.statistics.initial))
        #expect(HMMTestSupport.encode(back) == bytes)
        #expect(try back.parameters() == learner.parameters())
        // Both continue identically.
        var a = learner, b = back
        let seg = HMMSegment(start: [0.2, 0.3, 0.5], symbols: [0, 1, 2, 3, 3], startsContext: true)
        a.absorb(seg, using: try a.parameters())
        b.absorb(seg, using: try b.parameters())
        #expect(HMMTestSupport.encode(a) == HMMTestSupport.encode(b))
    }

    @Test func corruptBytesAreRefused() throws {
        let learner = try Self.trainedLearner()
        let bytes = HMMTestSupport.encode(learner)
        for cut in 0..<bytes.count {
            var reader = ByteReader(Array(bytes[0..<cut]))
            #expect(throws: StateDecodingError.self) { try HMMLearner(from: &reader) }
        }
        // Layout: k0, κ, contributions, contexts (8 bytes each), values (count + 4), then the statistics.
        func patched(_ offset: Int, _ value: UInt64) -> [UInt8] {
            var b = bytes
            for i in 0..<8 { b[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            return b
        }
        let valuesEnd = 32 + 8 + 8 * 4
        let statsInitial = valuesEnd + 16 + 8  // d, m, count of μ counts
        let corrupt: [(String, [UInt8])] = [
            ("negative k0", patched(0, (-1.0).bitPattern)),
            ("kappa 0.5", patched(8, 0.5.bitPattern)),
            ("kappa NaN", patched(8, Double.nan.bitPattern)),
            ("negative contributions", patched(16, UInt64(bitPattern: -1))),
            ("contexts > contributions", patched(24, 1000)),
            ("infinite value", patched(40, Double.infinity.bitPattern)),
            ("wrong value count", patched(32, 5)),
            ("zero states", patched(valuesEnd, 0)),
            ("huge alphabet", patched(valuesEnd + 8, 70_000)),
            ("alphabet mismatch", patched(valuesEnd + 8, 3)),
            ("negative count", patched(statsInitial, (-0.25).bitPattern)),
            ("NaN count", patched(statsInitial + 8, Double.nan.bitPattern)),
            ("trailing μ count", patched(statsInitial - 8, 4)),
        ]
        for (name, b) in corrupt {
            var reader = ByteReader(b)
            #expect(throws: StateDecodingError.self, "\(name)") { try HMMLearner(from: &reader) }
        }
    }
}
