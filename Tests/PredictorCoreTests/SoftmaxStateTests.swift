import Testing
@testable import PredictorCore

@Suite struct SoftmaxStateTests {
    static let layouts: [FeatureLayout] = [.explicit(dimension: 3), .autoregressive(lags: 2, bias: true)]

    private func observation(_ layout: FeatureLayout, _ rng: inout SoftmaxTestRNG) -> Observation {
        switch layout {
        case .explicit(let p): .labelled(x: rng.vector(p), y: rng.vector(2))
        case .autoregressive: .series(rng.vector(2))
        }
    }

    @Test(arguments: layouts)
    func exactRoundTripMidStream(layout: FeatureLayout) throws {
        let params = try SoftmaxParameters(layout: layout, outputs: 2, beta: 1.7, window: 16, priorMean: [0.5, -0.5])
        var model = SoftmaxPredictor(parameters: params)
        var rng = SoftmaxTestRNG(seed: 2024)
        var prediction = Prediction()
        for _ in 0..<37 { try model.observe(observation(layout, &rng), into: &prediction) }  // the ring has wrapped

        var writer = ByteWriter()
        model.state.encode(to: &writer)
        let bytes = writer.bytes
        var reader = ByteReader(bytes)
        let decoded = try SoftmaxState(from: &reader)
        #expect(reader.isAtEnd)
        #expect(decoded == model.state)
        var resumed = try SoftmaxPredictor(parameters: params, state: decoded)

        var a = Prediction(), b = Prediction()
        model.currentPrediction(into: &a)
        resumed.currentPrediction(into: &b)
        #expect(a.isBitwiseEqual(to: b))
        for step in 0..<40 {
            let o = observation(layout, &rng)
            try model.observe(o, into: &a)
            try resumed.observe(o, into: &b)
            #expect(a.isBitwiseEqual(to: b), "step \(step)")
            let query = rng.vector(params.featureCount)
            try model.predict(query: query, into: &a)
            try resumed.predict(query: query, into: &b)
            #expect(a.isBitwiseEqual(to: b), "query \(step)")
        }
        var w1 = ByteWriter(), w2 = ByteWriter()
        model.state.encode(to: &w1)
        resumed.state.encode(to: &w2)
        #expect(w1.bytes == w2.bytes)

        // Every truncation throws.
        for length in 0..<bytes.count {
            var short = ByteReader(Array(bytes[0..<length]))
            #expect(throws: StateDecodingError.self) { try SoftmaxState(from: &short) }
        }
        // A state from other parameters does not fit.
        let other = try SoftmaxParameters(layout: layout, outputs: 2, beta: 1.7, window: 17)
        #expect(throws: StateDecodingError.self) { try SoftmaxPredictor(parameters: other, state: decoded) }
    }

    @Test func corruptStateIsRejected() throws {
        let params = try SoftmaxParameters(layout: .explicit(dimension: 1), outputs: 1, beta: 1, window: 4)
        var model = SoftmaxPredictor(parameters: params)
        var prediction = Prediction()
        try model.observe(.labelled(x: [1], y: [2]), into: &prediction)
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        // Header layout: version, p, q, W, head, fill, count (8 bytes each after the version byte).
        var badHead = writer.bytes
        badHead[1 + 3 * 8] = 3
        var reader = ByteReader(badHead)
        #expect(throws: StateDecodingError.self) { try SoftmaxState(from: &reader) }
        var badVersion = writer.bytes
        badVersion[0] = 9
        reader = ByteReader(badVersion)
        #expect(throws: StateDecodingError.self) { try SoftmaxState(from: &reader) }
    }

    @Test func parametersRoundTripExactly() throws {
        let params = try SoftmaxParameters(layout: .autoregressive(lags: 3, bias: false), outputs: 2, beta: 0.1 + 0.2,
                                           window: 1000, priorMean: [-0.0, 1e-300])
        var writer = ByteWriter()
        params.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        let back = try SoftmaxParameters(from: &reader)
        #expect(back == params && back.beta.bitPattern == params.beta.bitPattern)
        #expect(back.priorMean.map(\.bitPattern) == params.priorMean.map(\.bitPattern))
        for length in 0..<writer.bytes.count {
            var short = ByteReader(Array(writer.bytes[0..<length]))
            #expect(throws: StateDecodingError.self) { try SoftmaxParameters(from: &short) }
        }
    }

    @Test func badParametersAreRejectedNamingTheParameter() {
        func rejected(_ key: String, _ make: () throws(ParameterError) -> SoftmaxParameters) {
            do {
                _ = try make()
                Issue.record("expected '\(key)' to be rejected")
            } catch {
                #expect(error.parameter == key)
            }
        }
        let ex = FeatureLayout.explicit(dimension: 2)
        for beta: Double in [0, -1, .nan, .infinity, -.infinity] {
            rejected("beta") { () throws(ParameterError) in try SoftmaxParameters(layout: ex, beta: beta, window: 4) }
        }
        for window in [0, -3, 1_000_001] {
            rejected("window") { () throws(ParameterError) in try SoftmaxParameters(layout: ex, beta: 1, window: window) }
        }
        for outputs in [0, 4097] {
            rejected("outputs") { () throws(ParameterError) in
                try SoftmaxParameters(layout: ex, outputs: outputs, beta: 1, window: 4)
            }
        }
        for prior: [Double] in [[], [1, 2, 3], [.nan, 0], [0, .infinity]] {
            rejected("prior_mean") { () throws(ParameterError) in
                try SoftmaxParameters(layout: ex, outputs: 2, beta: 1, window: 4, priorMean: prior)
            }
        }
        rejected("lags") { () throws(ParameterError) in
            try SoftmaxParameters(layout: .autoregressive(lags: 0, bias: true), beta: 1, window: 4)
        }
        rejected("dimension") { () throws(ParameterError) in
            try SoftmaxParameters(layout: .explicit(dimension: 0), beta: 1, window: 4)
        }
        // The edges of every range are accepted.
        #expect(throws: Never.self) {
            _ = try SoftmaxParameters(layout: ex, outputs: 4096, beta: .leastNonzeroMagnitude, window: 1_000_000)
            _ = try SoftmaxParameters(layout: ex, outputs: 1, beta: .greatestFiniteMagnitude, window: 1)
        }
    }
}
