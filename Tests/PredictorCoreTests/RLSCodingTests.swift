import Testing
@testable import PredictorCore

/// Exact checkpoints of `rls` fast and slow memory: bit-identical continuation, stable bytes, rejected corruption.
@Suite struct RLSCodingTests {
    static func encode(_ value: some BinaryCodable) -> [UInt8] {
        var writer = ByteWriter()
        value.encode(to: &writer)
        return writer.bytes
    }

    static func observation(_ rng: inout RLSTestRandom, _ params: RLSParameters) -> Observation {
        let y = rng.vector(params.outputs)
        if case .explicit = params.layout { return .labelled(x: rng.vector(params.featureCount), y: y) }
        return .series(y)
    }

    @Test(arguments: [
        try! RLSParameters(layout: .explicit(dimension: 6), outputs: 2, lambda: 0.99, delta: 0.1),
        try! RLSParameters(layout: .autoregressive(lags: 3, bias: true), outputs: 2, lambda: 1, delta: 3),
        try! RLSParameters(layout: .autoregressive(lags: 4, bias: false), outputs: 1, lambda: 0.9, delta: 1),
    ])
    func stateRoundTripContinuesBitIdentically(params: RLSParameters) throws {
        var rng = RLSTestRandom(seed: 7)
        var original = RLSPredictor(parameters: params)
        var prediction = Prediction()
        for _ in 0..<25 { try original.observe(Self.observation(&rng, params), into: &prediction) }

        let bytes = Self.encode(original.state)
        var reader = ByteReader(bytes)
        let decoded = try RLSState(from: &reader)
        #expect(reader.isAtEnd)
        #expect(decoded == original.state)
        #expect(Self.encode(decoded) == bytes)
        var resumed = try RLSPredictor(parameters: params, state: decoded)

        var a = Prediction(), b = Prediction()
        for _ in 0..<40 {
            let o = Self.observation(&rng, params)
            try original.observe(o, into: &a)
            try resumed.observe(o, into: &b)
            #expect(a.isBitwiseEqual(to: b))
        }
        original.currentPrediction(into: &a)
        resumed.currentPrediction(into: &b)
        #expect(a.isBitwiseEqual(to: b))
        #expect(original.state == resumed.state)
        #expect(Self.encode(original.state) == Self.encode(resumed.state))

        // Every truncation fails cleanly.
        for cut in 0..<bytes.count {
            var short = ByteReader(Array(bytes[0..<cut]))
            #expect(throws: StateDecodingError.self) { try RLSState(from: &short) }
        }
    }

    @Test func parametersRoundTrip() throws {
        let params = try RLSParameters(
            layout: .autoregressive(lags: 2, bias: true), outputs: 2, lambda: 0.995, delta: 1e-3,
            priorMean: (0..<10).map { Double($0) / 7 })
        let bytes = Self.encode(params)
        var reader = ByteReader(bytes)
        #expect(try RLSParameters(from: &reader) == params)
        #expect(reader.isAtEnd)
        for cut in 0..<bytes.count {
            var short = ByteReader(Array(bytes[0..<cut]))
            #expect(throws: StateDecodingError.self) { try RLSParameters(from: &short) }
        }
    }

    @Test func stateOfAnotherShapeIsRefused() throws {
        let small = try RLSParameters(layout: .explicit(dimension: 3), outputs: 1, lambda: 1, delta: 1)
        let large = try RLSParameters(layout: .explicit(dimension: 4), outputs: 1, lambda: 1, delta: 1)
        let lagged = try RLSParameters(layout: .autoregressive(lags: 3, bias: false), outputs: 1, lambda: 1, delta: 1)
        #expect(throws: StateDecodingError.self) { try RLSPredictor(parameters: large, state: RLSState(parameters: small)) }
        #expect(throws: StateDecodingError.self) { try RLSPredictor(parameters: lagged, state: RLSState(parameters: small)) }
        #expect(throws: Never.self) { try RLSPredictor(parameters: small, state: RLSState(parameters: small)) }

        // A corrupted covariance length is caught while decoding.
        var writer = ByteWriter()
        RLSState(parameters: small).encode(to: &writer)
        var bytes = writer.bytes
        bytes[1] = 4  // p = 4, but 9 covariance values follow
        var reader = ByteReader(bytes)
        #expect(throws: StateDecodingError.self) { try RLSState(from: &reader) }
    }
}
