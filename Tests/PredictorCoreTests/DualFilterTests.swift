import RealModule
import Testing
@testable import PredictorCore

@Suite struct DualFilterTests {
    /// Runs the streaming filter over `symbols` and returns its measures ρ_0..ρ_T.
    static func streamingMeasures(_ parameters: DualFilterParameters, _ symbols: [Int]) throws -> [[Double]] {
        var filter = DualFilter(parameters: parameters)
        var pred = Prediction()
        var out = [filter.measure]
        for z in symbols {
            try filter.observe(.symbol(z), into: &pred)
            out.append(filter.measure)
        }
        return out
    }

    @Test(arguments: [2, 3, 6, 10])
    func dualEqualsForwardAlgorithm(states d: Int) throws {
        var rng = HMMTestRNG(seed: UInt64(100 + d))
        let T = 200
        for m in [2, 5] {
            let hmm = HMMTestSupport.randomHMM(states: d, symbols: m, rng: &rng)
            let zs = HMMTestSupport.sample(hmm, count: T, rng: &rng)
            let forward = HMMTestSupport.referenceForward(hmm, zs)
            var forwardFilter = ForwardFilter(parameters: hmm)
            var fp = Prediction()
            for z in zs { try forwardFilter.observe(.symbol(z), into: &fp) }
            for h in [1, 8, T] {
                let parameters = try DualFilterParameters(hmm: hmm, window: h)
                let streaming = try Self.streamingMeasures(parameters, zs)
                let matrix = DualFilter.onlineMatrixForm(parameters: parameters, symbols: zs)
                let errStreaming = HMMTestSupport.maxAbsDiff(streaming, forward)
                let errMatrix = HMMTestSupport.maxAbsDiff(matrix, forward)
                #expect(errStreaming <= 1e-12, "d=\(d) m=\(m) H=\(h): streaming error \(errStreaming)")
                #expect(errMatrix <= 1e-12, "d=\(d) m=\(m) H=\(h): matrix-form error \(errMatrix)")
                #expect(HMMTestSupport.maxAbsDiff(streaming, matrix) <= 1e-12)
                var dual = DualFilter(parameters: parameters)
                var dp = Prediction()
                for z in zs { try dual.observe(.symbol(z), into: &dp) }
                #expect(abs(dual.logLikelihood - forwardFilter.logLikelihood) <= 1e-10 * abs(forwardFilter.logLikelihood))
                #expect(HMMTestSupport.maxAbsDiff([dp.probabilities, dp.mean], [fp.probabilities, fp.mean]) <= 1e-12)
            }
        }
    }

    /// The two forms are one algebraic identity for any stored measures, not only at the fixed point.
    @Test func streamingAndMatrixFormsAgreeOnArbitraryMeasures() throws {
        var rng = HMMTestRNG(seed: 77)
        for (d, m, h) in [(2, 2, 1), (3, 4, 5), (6, 3, 16), (4, 2, 64)] {
            let hmm = HMMTestSupport.randomHMM(states: d, symbols: m, rng: &rng)
            let parameters = try DualFilterParameters(hmm: hmm, window: h)
            for n in [0, 1, h - 1, h, h + 7] where n >= 0 {
                // Arbitrary (non-filter) measures ρ_0..ρ_n and tokens z_0..z_n.
                let rhos = (0...n).map { _ in rng.distribution(d, floor: 0.3) }
                let zs = (0...n).map { _ in Int(rng.next() % UInt64(m)) }
                var tokens = [Int](repeating: 0, count: h)
                var measures = [Double](repeating: 0, count: h * d)
                for s in max(0, n - h)..<n { tokens[s % h] = zs[s] }
                for s in max(0, n + 1 - h)...n {
                    for x in 0..<d { measures[(s % h) * d + x] = rhos[s][x] }
                }
                let state = DualFilterState(tokens: tokens, measures: measures, count: n, logLikelihood: 0)
                var filter = try DualFilter(parameters: parameters, state: state)
                var pred = Prediction()
                try filter.observe(.symbol(zs[n]), into: &pred)
                let matrix = DualFilter.estimateMatrixForm(parameters: parameters, symbols: zs, measures: rhos,
                                                           at: n + 1)
                #expect(HMMTestSupport.maxAbsDiff([filter.measure], [matrix]) <= 1e-12, "d=\(d) H=\(h) n=\(n)")
            }
        }
    }

    @Test func jacobiSweepsConvergeToForward() throws {
        var rng = HMMTestRNG(seed: 9)
        let hmm = HMMTestSupport.randomHMM(states: 3, symbols: 3, rng: &rng)
        let T = 30
        let zs = HMMTestSupport.sample(hmm, count: T, rng: &rng)
        let forward = HMMTestSupport.referenceForward(hmm, zs)
        let parameters = try DualFilterParameters(hmm: hmm, window: T)
        var previous = Double.infinity
        var report: [String] = []
        for k in 1...12 {
            let rho = DualFilter.layers(parameters: parameters, symbols: zs, sweeps: k)
            #expect(rho.count == T + 1)
            // Positions 0...k are exact after k sweeps.
            let exact = HMMTestSupport.maxAbsDiff(Array(rho[0...min(k, T)]), Array(forward[0...min(k, T)]))
            #expect(exact <= 1e-12, "sweep \(k): exact prefix error \(exact)")
            let worst = HMMTestSupport.maxAbsDiff(rho, forward)
            #expect(worst <= previous, "sweep \(k): max error \(worst) rose from \(previous)")
            previous = worst
            report.append("k=\(k): \(worst)")
        }
        print("Jacobi max error by sweep (d=3, m=3, T=\(T), H=T):", report.joined(separator: ", "))
        #expect(DualFilter.layers(parameters: parameters, symbols: zs, sweeps: 0) == Array(repeating: hmm.initial, count: T + 1))
    }

    @Test func rejectedObservationsLeaveStateUnchanged() throws {
        let hmm = try HMMParameters(states: 2, symbols: 3, transition: [0.9, 0.1, 0.3, 0.7],
                                    emission: [0.5, 0.5, 0, 0.2, 0.8, 0], initial: [0.6, 0.4])
        var filter = DualFilter(parameters: try DualFilterParameters(hmm: hmm, window: 3))
        var pred = Prediction()
        for z in [1, 0, 1, 1] { try filter.observe(.symbol(z), into: &pred) }
        let before = filter.state
        let predBefore = pred
        #expect(throws: ObservationError.wrongKind(model: "dual", expected: "symbol", got: "series")) {
            try filter.observe(.series([1]), into: &pred)
        }
        #expect(throws: ObservationError.symbolOutOfRange(symbol: 3, alphabetSize: 3)) {
            try filter.observe(.symbol(3), into: &pred)
        }
        #expect(throws: ObservationError.symbolOutOfRange(symbol: -2, alphabetSize: 3)) {
            try filter.observe(.symbol(-2), into: &pred)
        }
        #expect(throws: ObservationError.impossible(symbol: 2)) { try filter.observe(.symbol(2), into: &pred) }
        #expect(throws: ObservationError.wrongKind(model: "dual", expected: "symbol", got: "query")) {
            try filter.predict(query: [], into: &pred)
        }
        #expect(filter.state == before && HMMTestSupport.encode(filter.state) == HMMTestSupport.encode(before))
        #expect(pred.isBitwiseEqual(to: predBefore))
        var current = Prediction()
        filter.currentPrediction(into: &current)
        #expect(current.probabilities == pred.probabilities && current.surprise.isNaN && current.count == 4)
        filter.reset()
        #expect(filter.state == DualFilterState(parameters: filter.parameters) && filter.measure == hmm.initial)
    }

    @Test(arguments: [1, 4, 16])
    func stateRoundTripIsExact(window h: Int) throws {
        var rng = HMMTestRNG(seed: UInt64(40 + h))
        let hmm = HMMTestSupport.randomHMM(states: 4, symbols: 3, rng: &rng)
        let parameters = try DualFilterParameters(hmm: hmm, window: h)
        let zs = HMMTestSupport.sample(hmm, count: 120, rng: &rng)
        for cutAt in [0, 2, 33] {
            var a = DualFilter(parameters: parameters)
            var pa = Prediction(), pb = Prediction()
            for z in zs[0..<cutAt] { try a.observe(.symbol(z), into: &pa) }
            let bytes = HMMTestSupport.encode(a.state)
            var reader = ByteReader(bytes)
            let decoded = try DualFilterState(from: &reader)
            #expect(reader.isAtEnd && HMMTestSupport.encode(decoded) == bytes)
            var b = try DualFilter(parameters: parameters, state: decoded)
            a.currentPrediction(into: &pa)
            b.currentPrediction(into: &pb)
            #expect(pa.isBitwiseEqual(to: pb))
            for z in zs[cutAt...] {
                try a.observe(.symbol(z), into: &pa)
                try b.observe(.symbol(z), into: &pb)
                #expect(pa.isBitwiseEqual(to: pb))
            }
            #expect(HMMTestSupport.encode(a.state) == HMMTestSupport.encode(b.state))
            for cut in 0..<bytes.count {
                var r = ByteReader(Array(bytes[0..<cut]))
                #expect(throws: StateDecodingError.self) { try DualFilterState(from: &r) }
            }
        }
        // States that do not fit the model (window, shape, alphabet) are refused.
        let fresh = DualFilterState(parameters: parameters)
        var wrongWindow = fresh
        wrongWindow.tokens.append(0)
        #expect(throws: StateDecodingError.self) { try DualFilter(parameters: parameters, state: wrongWindow) }
        var badToken = fresh
        badToken.tokens[0] = 3
        #expect(throws: StateDecodingError.self) { try DualFilter(parameters: parameters, state: badToken) }
        var badMeasure = fresh
        badMeasure.measures[0] = .nan
        #expect(throws: StateDecodingError.self) { try DualFilter(parameters: parameters, state: badMeasure) }
    }
}
