import PredictorCore
import PredictorWire
import Testing
@testable import PredictorEngine

/// Stream ids are topic bytes: canonically equivalent but byte-different ids are different streams.
@Suite struct StreamKeyTests {
    /// "café" with a precomposed é (U+00E9) and with e + combining acute (U+0301): equal as Swift Strings.
    static let composed = "s/caf\u{E9}"
    static let decomposed = "s/cafe\u{301}"

    @Test func keysCompareAndHashBytes() {
        #expect(Self.composed == Self.decomposed, "the premise: String == is canonical equivalence")
        #expect(Array(Self.composed.utf8) != Array(Self.decomposed.utf8))
        let a = StreamKey(Self.composed), b = StreamKey(Self.decomposed)
        #expect(a != b)
        #expect(a == StreamKey(String(decoding: Array(Self.composed.utf8), as: UTF8.self)))
        #expect(Set([a, b, StreamKey(Self.composed)]).count == 2)
        // Byte order ("s/cafe…" before "s/caf\u{C3}…", 0x65 < 0xC3), where String order sees two equal strings.
        #expect(b < a && !(a < b))
        #expect(!(Self.decomposed < Self.composed) && !(Self.composed < Self.decomposed))
        #expect(!(a < a))
    }

    /// Equality against the byte arrays for every length up to 40 (word-wise and tail compares) and every position
    /// of a difference.
    @Test func equalityMatchesByteArrays() {
        for n in 0...40 {
            let bytes = (0..<n).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let key = StreamKey(String(decoding: bytes, as: UTF8.self))
            #expect(key == StreamKey(String(decoding: bytes, as: UTF8.self)))
            #expect(key.hashValue == StreamKey(String(decoding: bytes, as: UTF8.self)).hashValue)
            #expect(key != StreamKey(String(decoding: bytes + [UInt8(ascii: "z")], as: UTF8.self)))
            for i in 0..<n {
                var other = bytes
                other[i] = UInt8(ascii: "Z")
                #expect(key != StreamKey(String(decoding: other, as: UTF8.self)), "length \(n), byte \(i)")
            }
        }
    }

    /// Each of the two ids gets its own context, and its predictions equal those of an engine that only ever saw
    /// that id (bit for bit).
    @Test func canonicallyEquivalentTopicsGetSeparateContexts() throws {
        let model = ModelDefinition(name: "s", match: "s/", spec: .rls(try RLSParameters(
            layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: 1, delta: 1e-3, priorMean: nil)))
        var both = PredictionEngine(models: [model])
        var onlyComposed = PredictionEngine(models: [model])
        var onlyDecomposed = PredictionEngine(models: [model])
        func step(_ engine: inout PredictionEngine, _ stream: String, _ y: Double) throws -> Prediction {
            var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
            try engine.process(stream: stream, message: InboundMessage(body: .observation(.series([y])), encoding: .json),
                               now: 0, into: &out)
            #expect(Array(out.stream.utf8) == Array(stream.utf8), "the prediction carries the exact topic bytes")
            return out.prediction
        }
        for t in 0..<20 {
            let ya = Double(t % 5), yb = 10 - Double(t % 3) * 2
            let pa = try step(&both, Self.composed, ya)
            let pb = try step(&both, Self.decomposed, yb)
            let ra = try step(&onlyComposed, Self.composed, ya), rb = try step(&onlyDecomposed, Self.decomposed, yb)
            #expect(pa.isBitwiseEqual(to: ra), "composed step \(t)")
            #expect(pb.isBitwiseEqual(to: rb), "decomposed step \(t)")
            #expect(pa.count == t + 1 && pb.count == t + 1)
        }
        #expect(both.contexts.count == 2)
        #expect(both.contexts[StreamKey(Self.composed)]?.predictor.encodedState()
            == onlyComposed.contexts[StreamKey(Self.composed)]?.predictor.encodedState())
        #expect(both.counters.contextsCreated == 2)
    }
}
