import RealModule
import Testing
@testable import PredictorCore

@Suite struct ForwardFilterTests {
    /// A = [[1/2, 1/2], [1/4, 3/4]], C = [[3/4, 1/4], [1/4, 3/4]], μ = (1/2, 1/2), f(z) = z.
    static let handModel = try! HMMParameters(states: 2, symbols: 2, transition: [0.5, 0.5, 0.25, 0.75],
                                              emission: [0.75, 0.25, 0.25, 0.75], initial: [0.5, 0.5])

    @Test func handComputedTwoStateCase() throws {
        var filter = ForwardFilter(parameters: Self.handModel)
        var pred = Prediction()
        // Before any symbol: π_0 C = (1/2, 1/2), mean 1/2, variance 1/4.
        filter.currentPrediction(into: &pred)
        #expect(pred.probabilities == [0.5, 0.5] && pred.mean == [0.5] && pred.variance == [0.25])
        #expect(pred.surprise.isNaN && pred.count == 0 && pred.error.isEmpty && pred.kind == .symbol)

        // z_0 = 0: π_0(c_0) = 1/2·3/4 + 1/2·1/4 = 1/2, π_0 ⊙ c_0 / p = (3/4, 1/4),
        // π_1 = (3/4·1/2 + 1/4·1/4, 3/4·1/2 + 1/4·3/4) = (7/16, 9/16),
        // π_1 C = (7/16·3/4 + 9/16·1/4, 7/16·1/4 + 9/16·3/4) = (30/64, 34/64) = (15/32, 17/32),
        // mean = 17/32, variance = 17/32 − (17/32)² = 255/1024, surprise = log 2.
        try filter.observe(.symbol(0), into: &pred)
        #expect(close(filter.state.predictive, [7.0 / 16, 9.0 / 16]))
        #expect(close(pred.probabilities, [15.0 / 32, 17.0 / 32]))
        #expect(close(pred.mean, [17.0 / 32]) && close(pred.variance, [255.0 / 1024]))
        #expect(abs(pred.surprise - Double.log(2)) <= 1e-15 && pred.count == 1 && pred.error.isEmpty)

        // z_1 = 1: π_1(c_1) = 7/16·1/4 + 9/16·3/4 = 34/64 = 17/32, π_1 ⊙ c_1 / p = (7/64, 27/64)·32/17 = (7/34, 27/34),
        // π_2 = (7/34·1/2 + 27/34·1/4, 7/34·1/2 + 27/34·3/4) = (41/136, 95/136),
        // π_2 C = ((123 + 95)/544, (41 + 285)/544) = (109/272, 163/272),
        // mean = 163/272, variance = 163·109/272², surprise = log(32/17), log-likelihood = log(1/2) + log(17/32).
        try filter.observe(.symbol(1), into: &pred)
        #expect(close(filter.state.predictive, [41.0 / 136, 95.0 / 136]))
        #expect(close(pred.probabilities, [109.0 / 272, 163.0 / 272]))
        #expect(close(pred.mean, [163.0 / 272]) && close(pred.variance, [163.0 * 109 / (272.0 * 272)]))
        #expect(abs(pred.surprise - Double.log(32.0 / 17)) <= 1e-15 && pred.count == 2)
        #expect(abs(filter.logLikelihood - (Double.log(0.5) + Double.log(17.0 / 32))) <= 1e-15)
    }

    @Test func matchesTextbookForwardAndProbabilitiesSumToOne() throws {
        var rng = HMMTestRNG(seed: 11)
        for (d, m) in [(1, 3), (2, 2), (3, 5), (7, 4)] {
            let hmm = HMMTestSupport.randomHMM(states: d, symbols: m, rng: &rng)
            let zs = HMMTestSupport.sample(hmm, count: 300, rng: &rng)
            let reference = HMMTestSupport.referenceForward(hmm, zs)
            var filter = ForwardFilter(parameters: hmm)
            var pred = Prediction()
            var got = [filter.state.predictive]
            for (t, z) in zs.enumerated() {
                try filter.observe(.symbol(z), into: &pred)
                got.append(filter.state.predictive)
                #expect(abs(pred.probabilities.reduce(0, +) - 1) <= 1e-12)
                // Mean and variance of f under the reported law, recomputed directly.
                let mean = zip(pred.probabilities, hmm.values).map { $0 * $1 }.reduce(0, +)
                let second = zip(pred.probabilities, hmm.values).map { $0 * $1 * $1 }.reduce(0, +)
                #expect(abs(pred.mean[0] - mean) <= 1e-12 && abs(pred.variance[0] - (second - mean * mean)) <= 1e-12)
                #expect(pred.count == t + 1)
            }
            #expect(HMMTestSupport.maxAbsDiff(got, reference) <= 1e-13)
        }
    }

    /// Values with a large common offset: the variance must not cancel (two-pass reference on the reported law).
    @Test func varianceSurvivesLargeValueOffset() throws {
        var rng = HMMTestRNG(seed: 3)
        let base = HMMTestSupport.randomHMM(states: 3, symbols: 4, rng: &rng)
        let values: [Double] = [1e6, 1e6 + 1e-3, 1e6 + 3e-3, 1e6 + 2e-3]
        let hmm = try HMMParameters(states: 3, symbols: 4, transition: base.transition, emission: base.emission,
                                    initial: base.initial, values: values)
        var filter = ForwardFilter(parameters: hmm)
        var pred = Prediction()
        for z in HMMTestSupport.sample(hmm, count: 50, rng: &rng) {
            try filter.observe(.symbol(z), into: &pred)
            let mean = zip(pred.probabilities, values).map { $0 * $1 }.reduce(0, +)
            let variance = zip(pred.probabilities, values).map { $0 * ($1 - mean) * ($1 - mean) }.reduce(0, +)
            #expect(abs(pred.mean[0] - mean) <= 1e-9)
            #expect(abs(pred.variance[0] - variance) <= 1e-6 * variance, "\(pred.variance[0]) vs \(variance)")
        }
    }

    @Test func millionStepsStayFiniteAndMatchLogSpaceRecursion() throws {
        var rng = HMMTestRNG(seed: 2026)
        let hmm = HMMTestSupport.randomHMM(states: 3, symbols: 4, rng: &rng)
        let zs = HMMTestSupport.sample(hmm, count: 1_000_000, rng: &rng)
        var filter = ForwardFilter(parameters: hmm)
        var pred = Prediction()
        var surpriseSum = 0.0
        var prefixLogLikelihood = 0.0
        let prefix = 10_000
        for (t, z) in zs.enumerated() {
            try filter.observe(.symbol(z), into: &pred)
            surpriseSum += pred.surprise
            if t + 1 == prefix { prefixLogLikelihood = filter.logLikelihood }
        }
        #expect(filter.logLikelihood.isFinite && filter.logLikelihood < -1e5)
        #expect(filter.state.count == 1_000_000)
        #expect(-surpriseSum == filter.logLikelihood)
        let logSpacePrefix = HMMTestSupport.logSpaceLogLikelihood(hmm, zs[0..<prefix])
        #expect(abs(prefixLogLikelihood - logSpacePrefix) <= 1e-9 * abs(logSpacePrefix))
        let logSpaceFull = HMMTestSupport.logSpaceLogLikelihood(hmm, zs)
        #expect(abs(filter.logLikelihood - logSpaceFull) <= 1e-9 * abs(logSpaceFull))
    }

    @Test func rejectedObservationsLeaveStateUnchanged() throws {
        // Symbol 2 is impossible from every state.
        let hmm = try HMMParameters(states: 2, symbols: 3, transition: [0.9, 0.1, 0.3, 0.7],
                                    emission: [0.5, 0.5, 0, 0.2, 0.8, 0], initial: [0.6, 0.4])
        var filter = ForwardFilter(parameters: hmm)
        var pred = Prediction()
        try filter.observe(.symbol(1), into: &pred)
        let before = filter.state
        let predBefore = pred
        #expect(throws: ObservationError.wrongKind(model: "forward", expected: "symbol", got: "series")) {
            try filter.observe(.series([1]), into: &pred)
        }
        #expect(throws: ObservationError.wrongKind(model: "forward", expected: "symbol", got: "labelled")) {
            try filter.observe(.labelled(x: [1], y: [2]), into: &pred)
        }
        #expect(throws: ObservationError.symbolOutOfRange(symbol: 3, alphabetSize: 3)) {
            try filter.observe(.symbol(3), into: &pred)
        }
        #expect(throws: ObservationError.symbolOutOfRange(symbol: -1, alphabetSize: 3)) {
            try filter.observe(.symbol(-1), into: &pred)
        }
        #expect(throws: ObservationError.impossible(symbol: 2)) { try filter.observe(.symbol(2), into: &pred) }
        #expect(throws: ObservationError.wrongKind(model: "forward", expected: "symbol", got: "query")) {
            try filter.predict(query: [1], into: &pred)
        }
        #expect(filter.state == before && HMMTestSupport.encode(filter.state) == HMMTestSupport.encode(before))
        #expect(pred.isBitwiseEqual(to: predBefore))
        try filter.observe(.symbol(0), into: &pred)
        #expect(filter.state.count == 2)
        filter.reset()
        #expect(filter.state == ForwardFilterState(predictive: hmm.initial))
    }

    @Test func stateRoundTripIsExact() throws {
        var rng = HMMTestRNG(seed: 5)
        let hmm = HMMTestSupport.randomHMM(states: 5, symbols: 3, rng: &rng)
        let zs = HMMTestSupport.sample(hmm, count: 200, rng: &rng)
        var a = ForwardFilter(parameters: hmm)
        var pa = Prediction(), pb = Prediction()
        for z in zs[0..<77] { try a.observe(.symbol(z), into: &pa) }
        let bytes = HMMTestSupport.encode(a.state)
        var reader = ByteReader(bytes)
        let decoded = try ForwardFilterState(from: &reader)
        #expect(reader.isAtEnd && HMMTestSupport.encode(decoded) == bytes)
        var b = try ForwardFilter(parameters: hmm, state: decoded)
        a.currentPrediction(into: &pa)
        b.currentPrediction(into: &pb)
        #expect(pa.isBitwiseEqual(to: pb))
        for z in zs[77...] {
            try a.observe(.symbol(z), into: &pa)
            try b.observe(.symbol(z), into: &pb)
            #expect(pa.isBitwiseEqual(to: pb))
        }
        #expect(HMMTestSupport.encode(a.state) == HMMTestSupport.encode(b.state))
        for cut in 0..<bytes.count {
            var r = ByteReader(Array(bytes[0..<cut]))
            #expect(throws: StateDecodingError.self) { try ForwardFilterState(from: &r) }
        }
        // A state of another shape is refused by the predictor.
        let other = ForwardFilterState(predictive: [0.5, 0.5])
        #expect(throws: StateDecodingError.self) { try ForwardFilter(parameters: hmm, state: other) }
    }
}

private func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-15) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}
