import PredictorCore
import Testing
@testable import PredictorWire
import PredictordTestSupport

/// Predictions: exact JSON text for fixed cases, and bit-exact round trips in both encodings.
@Suite struct WirePredictionTests {
    func jsonText(_ p: OutboundPrediction) throws -> String {
        json(try WireEncoder.prediction(p, encoding: .json))
    }

    @Test func realScalarJSON() throws {
        let p = OutboundPrediction(stream: "temp", model: "rls", seq: 8, ts: 1_700_000_000.5,
                                   prediction: Prediction(kind: .real, count: 5, mean: [21.5], variance: [0.25], error: [-0.5]))
        #expect(try jsonText(p)
            == #"{"stream":"temp","seq":8,"ts":1700000000.5,"model":"rls","n":5,"mean":21.5,"var":0.25,"error":-0.5}"#)
    }

    @Test func realVectorJSONOmitsAllNaNAndNullsPartialNaN() throws {
        let p = OutboundPrediction(stream: "s", model: "softmax",
                                   prediction: Prediction(kind: .real, count: 0, mean: [1.0, 2.0], variance: [.nan, .nan],
                                                          error: [.nan, 0.5]))
        #expect(try jsonText(p) == #"{"stream":"s","model":"softmax","n":0,"mean":[1.0,2.0],"error":[null,0.5]}"#)
    }

    @Test func numberFormatting() throws {
        let p = OutboundPrediction(stream: "s", model: "dual",
                                   prediction: Prediction(kind: .real, count: 1, mean: [1e-5, -0.0, 1e16, .leastNonzeroMagnitude, 2.0],
                                                          variance: [1e308, 0.1, 3, 4, 5]))
        #expect(try jsonText(p)
            == #"{"stream":"s","model":"dual","n":1,"mean":[1e-05,-0.0,1e+16,5e-324,2.0],"var":[1e+308,0.1,3.0,4.0,5.0]}"#)
    }

    @Test func symbolJSON() throws {
        let p = OutboundPrediction(stream: "hmm/1", model: "forward", seq: 10,
                                   prediction: Prediction(kind: .symbol, count: 9, mean: [0.75], probabilities: [0.25, 0.75],
                                                          surprise: 1.3862943611198906))
        #expect(try jsonText(p)
            == #"{"stream":"hmm/1","seq":10,"model":"forward","n":9,"mean":0.75,"probs":[0.25,0.75],"surprise":1.3862943611198906}"#)
        var noSurprise = p
        noSurprise.prediction.surprise = .nan
        noSurprise.seq = nil
        #expect(try jsonText(noSurprise) == #"{"stream":"hmm/1","model":"forward","n":9,"mean":0.75,"probs":[0.25,0.75]}"#)
    }

    @Test func nanMeansAreNullAndSymbolVarianceIsJSONOnly() throws {
        let explicit = OutboundPrediction(stream: "s", model: "softmax",
                                          prediction: Prediction(kind: .real, count: 4, mean: [.nan], variance: [.nan], error: [.nan]))
        #expect(try jsonText(explicit) == #"{"stream":"s","model":"softmax","n":4,"mean":null}"#)
        let vector = OutboundPrediction(stream: "s", model: "rls",
                                        prediction: Prediction(kind: .real, count: 4, mean: [.nan, .nan], variance: [.nan, .nan],
                                                               error: [.nan, .nan]))
        #expect(try jsonText(vector) == #"{"stream":"s","model":"rls","n":4,"mean":[null,null]}"#)
        for p in [explicit, vector] {
            for encoding in WireEncoding.allCases {
                let back = try WireDecoder.prediction(try WireEncoder.prediction(p, encoding: encoding), stream: "s")
                #expect(back.prediction.isBitwiseEqual(to: p.prediction), "\(encoding)")
            }
        }
        let hmm = OutboundPrediction(stream: "h", model: "forward",
                                     prediction: Prediction(kind: .symbol, count: 2, mean: [1.5], variance: [0.25], error: [],
                                                            probabilities: [0.5, 0.5], surprise: 0.5))
        #expect(try jsonText(hmm) == #"{"stream":"h","model":"forward","n":2,"mean":1.5,"var":0.25,"probs":[0.5,0.5],"surprise":0.5}"#)
        let fromJSON = try WireDecoder.prediction(try WireEncoder.prediction(hmm, encoding: .json), stream: "h")
        #expect(fromJSON.prediction.isBitwiseEqual(to: hmm.prediction))
        var withoutVariance = hmm.prediction
        withoutVariance.variance = []
        let fromBinary = try WireDecoder.prediction(try WireEncoder.prediction(hmm, encoding: .binary), stream: "h")
        #expect(fromBinary.prediction.isBitwiseEqual(to: withoutVariance))
    }

    @Test func stringsAreEscaped() throws {
        let p = OutboundPrediction(stream: "a\"b\\c\n\u{1}é", model: "rls", prediction: Prediction(kind: .real, count: 0, mean: [1]))
        let text = try jsonText(p)
        #expect(text == #"{"stream":"a\"b\\c\u000a\u0001é","model":"rls","n":0,"mean":1.0}"#)
        let back = try WireDecoder.prediction(Array(text.utf8), stream: p.stream)
        #expect(back.stream == p.stream)
    }

    @Test func decodesHandWrittenJSON() throws {
        let text = #"{ "stream" : "s", "model":"rls", "n":3, "mean":[1,2], "var":[null,0.5], "extra":{"k":[1]} }"#
        let p = try WireDecoder.prediction(Array(text.utf8), stream: "s")
        #expect(p.model == "rls" && p.seq == nil && p.ts == nil)
        #expect(p.prediction.isBitwiseEqual(to: Prediction(kind: .real, count: 3, mean: [1, 2], variance: [.nan, 0.5], error: [.nan, .nan])))
    }

    @Test func rejectsInconsistentJSONPredictions() {
        let cases: [(String, WireErrorReason)] = [
            (#"{"stream":"other","model":"rls","n":1,"mean":1}"#, .badField),
            (#"{"model":"rls","n":1}"#, .badField),
            (#"{"n":1,"mean":1}"#, .badField),
            (#"{"model":"rls","mean":1}"#, .badField),
            (#"{"model":"rls","n":1,"mean":[1,2],"var":[1]}"#, .badField),
            (#"{"model":"rls","n":1,"mean":[1,2],"surprise":1}"#, .badField),  // surprise on a real prediction: one component only
            (#"{"model":"forward","n":1,"mean":[1,2],"probs":[1]}"#, .badField),
            (#"{"model":"rls","n":-1,"mean":1}"#, .badField),
            (#"{"model":"rls","n":1,"mean":"1"}"#, .badField),
            (#"{"model":"forward","n":1,"mean":1,"probs":[1],"error":1}"#, .badField),
            (#"{"model":"forward","n":1,"mean":1,"probs":[1],"var":[1,2]}"#, .badField),
            (#"{"model":"forward","n":1,"mean":1,"probs":[null]}"#, .badField),
            (#"{"model":"rls","n":1,"mean":1e999}"#, .nonFinite),
            (#"{"model":"rls","n":1,"mean":1,"mean":1}"#, .malformedJSON),
        ]
        for (text, reason) in cases {
            #expect(predictionError(Array(text.utf8))?.reason == reason, "\(text)")
        }
    }

    /// Random predictions of both kinds, normalized the way the decoders produce them (q-sized var/error, canonical NaN).
    static func randomPredictions(_ rng: inout SplitMix64) -> [OutboundPrediction] {
        var result: [OutboundPrediction] = []
        for q in [1, 2, 3, 7] {
            let mean = randomVector(&rng, count: q)
            let variance = (0..<q).map { i in i % 3 == 2 ? Double.nan : randomFiniteDouble(&rng) }
            let error = q == 2 ? [Double](repeating: .nan, count: q) : randomVector(&rng, count: q)
            result.append(OutboundPrediction(stream: "real/\(q)", model: "rls", seq: q == 2 ? nil : rng.next(),
                                             ts: q == 3 ? nil : randomFiniteDouble(&rng),
                                             prediction: Prediction(kind: .real, count: Int(rng.next() >> 2), mean: mean,
                                                                    variance: variance, error: error)))
        }
        for m in [1, 2, 5] {
            result.append(OutboundPrediction(stream: "sym/\(m)", model: "forward", seq: rng.next(), ts: randomFiniteDouble(&rng),
                                             prediction: Prediction(kind: .symbol, count: m, mean: [randomFiniteDouble(&rng)],
                                                                    probabilities: randomVector(&rng, count: m),
                                                                    surprise: m == 2 ? .nan : randomFiniteDouble(&rng))))
        }
        return result
    }

    @Test func roundTripsBitForBit() throws {
        var rng = SplitMix64(seed: 42)
        var out: [UInt8] = []
        for _ in 0..<200 {
            for p in Self.randomPredictions(&rng) {
                for encoding in WireEncoding.allCases {
                    try WireEncoder.prediction(p, encoding: encoding, into: &out)
                    let back = try WireDecoder.prediction(out, stream: p.stream)
                    #expect(back.prediction.isBitwiseEqual(to: p.prediction), "\(encoding): \(json(out))")
                    #expect(back.seq == p.seq && back.ts?.bitPattern == p.ts?.bitPattern)
                    #expect(back.model == (encoding == .json ? p.model : ""))
                }
            }
        }
    }
}
