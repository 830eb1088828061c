import PredictorCore
import Testing
@testable import PredictorWire

/// Binary v1 against hand-assembled bytes: decoding, exact encoder output, length and header checks.
@Suite struct WireBinaryTests {
    /// One valid message of every observation kind, hand-assembled, with what it decodes to.
    static func samples() -> [([UInt8], InboundMessage)] {
        var series = LEBytes.header(kind: 0, ny: 2, seq: 7, ts: 1.5)
        series.f64s([21.5, -0.0])
        var labelled = LEBytes.header(kind: 1, ny: 1, nx: 2, seq: 8)
        labelled.f64s([1.0, 0.2, 3.1])
        var query = LEBytes.header(kind: 2, nx: 2, ts: 2.5)
        query.f64s([1.0, 0.5])
        var symbol = LEBytes.header(kind: 3, seq: 9)
        symbol.u32(4_000_000_000)
        let reset = LEBytes.header(kind: 4)
        return [
            (series.bytes, InboundMessage(body: .observation(.series([21.5, -0.0])), seq: 7, ts: 1.5, encoding: .binary)),
            (labelled.bytes, InboundMessage(body: .observation(.labelled(x: [1.0, 0.2], y: [3.1])), seq: 8, encoding: .binary)),
            (query.bytes, InboundMessage(body: .query(x: [1.0, 0.5]), ts: 2.5, encoding: .binary)),
            (symbol.bytes, InboundMessage(body: .observation(.symbol(4_000_000_000)), seq: 9, encoding: .binary)),
            (reset.bytes, InboundMessage(body: .reset, encoding: .binary)),
        ]
    }

    @Test func decodesHandAssembledMessages() throws {
        for (bytes, expected) in Self.samples() {
            let m = try WireDecoder.observation(bytes)
            #expect(bitEqual(m, expected), "\(m) ≠ \(expected)")
        }
    }

    @Test func encoderWritesTheDocumentedLayout() throws {
        for (bytes, message) in Self.samples() {
            #expect(try WireEncoder.observation(message, encoding: .binary) == bytes, "\(message)")
        }
    }

    @Test func headerFieldsWithoutFlagsAreIgnored() throws {
        var w = LEBytes.header(kind: 4, seq: 99, ts: 3, flags: 0)
        let m = try WireDecoder.observation(w.bytes)
        #expect(m.seq == nil && m.ts == nil)
        w = LEBytes.header(kind: 4, flags: 4)
        #expect(observationError(w.bytes)?.reason == .malformedBinary)
    }

    @Test func everyTruncationIsRejected() {
        for (bytes, _) in Self.samples() {
            for length in 0..<bytes.count {
                let error = observationError(Array(bytes[..<length]))
                let expected: WireErrorReason = length == 0 ? .unsupportedEncoding : .malformedBinary
                #expect(error?.reason == expected, "length \(length) of \(bytes.count): \(String(describing: error))")
            }
        }
    }

    @Test func extraBytesAreRejected() {
        for (bytes, _) in Self.samples() {
            let error = observationError(bytes + [0])
            #expect(error?.reason == .malformedBinary)
            #expect(error?.message.contains("must be \(bytes.count) bytes, got \(bytes.count + 1)") == true, "\(String(describing: error))")
        }
    }

    @Test func headerCountsMustMatchTheKind() {
        var w = LEBytes.header(kind: 0, ny: 1, nx: 1)
        w.f64s([1, 2])
        #expect(observationError(w.bytes)?.reason == .malformedBinary)
        w = LEBytes.header(kind: 3, ny: 1)
        w.u32(1)
        #expect(observationError(w.bytes)?.reason == .malformedBinary)
        w = LEBytes.header(kind: 2, ny: 1, nx: 1)
        w.f64s([1, 2])
        #expect(observationError(w.bytes)?.reason == .malformedBinary)
        #expect(observationError(LEBytes.header(kind: 0).bytes)?.reason == .badField)
        #expect(observationError(LEBytes.header(kind: 2).bytes)?.reason == .badField)
    }

    @Test func unknownAndPredictionKindsAreRejected() {
        for kind: UInt8 in [6, 15, 16, 17, 18, 255] {
            #expect(observationError(LEBytes.header(kind: kind).bytes)?.reason == .unknownKind, "kind \(kind)")
        }
        for kind: UInt8 in [0, 4, 5, 18] {
            #expect(predictionError(LEBytes.header(kind: kind).bytes)?.reason == .unknownKind, "kind \(kind)")
        }
    }

    @Test func nonFiniteValuesAreRejected() {
        for bad in [Double.nan, .infinity, -.infinity, Double(bitPattern: 0x7FF0_0000_0000_0001)] {
            var w = LEBytes.header(kind: 1, ny: 1, nx: 2)
            w.f64s([1, bad, 3])
            let error = observationError(w.bytes)
            #expect(error?.reason == .nonFinite)
            #expect(error?.message.contains("'x[1]'") == true)
            w = LEBytes.header(kind: 4, ts: bad)
            #expect(observationError(w.bytes)?.reason == .nonFinite)
        }
    }

    @Test func decodesHandAssembledPredictions() throws {
        var real = LEBytes.header(kind: 16, ny: 2, seq: 11, ts: 4.5)
        real.u64(10)
        real.f64s([1.5, -2.0, 0.25, .nan, .nan, 0.5])
        let p = try WireDecoder.prediction(real.bytes, stream: "s")
        let expected = Prediction(kind: .real, count: 10, mean: [1.5, -2.0], variance: [0.25, .nan], error: [.nan, 0.5])
        #expect(p.prediction.isBitwiseEqual(to: expected))
        #expect(p.seq == 11 && p.ts == 4.5 && p.stream == "s" && p.model == "")

        var symbol = LEBytes.header(kind: 17, ny: 3)
        symbol.u64(3)
        symbol.f64s([0.2, 0.3, 0.5, 1.3, .nan])
        let s = try WireDecoder.prediction(symbol.bytes, stream: "h")
        let expectedSymbol = Prediction(kind: .symbol, count: 3, mean: [1.3], probabilities: [0.2, 0.3, 0.5], surprise: .nan)
        #expect(s.prediction.isBitwiseEqual(to: expectedSymbol))
        #expect(try WireEncoder.prediction(s, encoding: .binary) == symbol.bytes)
        #expect(try WireEncoder.prediction(p, encoding: .binary) == real.bytes)

        for length in 0..<real.bytes.count {
            #expect(predictionError(Array(real.bytes[..<length])) != nil)
        }
        // NaN means "none" (models publish NaN means before they can predict); not allowed in probs; infinity nowhere.
        var nanMean = LEBytes.header(kind: 16, ny: 1)
        nanMean.u64(1)
        nanMean.f64s([.nan, .nan, .nan])
        #expect(predictionError(nanMean.bytes) == nil)
        var infMean = LEBytes.header(kind: 16, ny: 1)
        infMean.u64(1)
        infMean.f64s([-.infinity, 1, 1])
        #expect(predictionError(infMean.bytes)?.reason == .nonFinite)
        var nanProb = LEBytes.header(kind: 17, ny: 2)
        nanProb.u64(1)
        nanProb.f64s([0.5, .nan, 1, 1])
        #expect(predictionError(nanProb.bytes)?.reason == .nonFinite)
        var infVar = LEBytes.header(kind: 16, ny: 1)
        infVar.u64(1)
        infVar.f64s([1, .infinity, 1])
        #expect(predictionError(infVar.bytes)?.reason == .nonFinite)
    }
}
