import PredictorCore
import Testing
@testable import PredictorWire
import PredictordTestSupport

/// Bounded randomized robustness: random bytes and mutated valid messages only ever decode or throw `WireError`.
///
/// A crash (out-of-bounds read, trap) would abort the test process; a success must survive a re-encode round trip.
@Suite struct WireRobustnessTests {
    static let jsonAlphabet = Array(#"{}[]":,.-+0123456789eE \tabnrtuxyzsqfl\u"#.utf8) + [0x01, 0x00, 0xC3, 0xA9, 0xFF]

    /// Decodes `payload` every way; a decoded observation must re-encode and decode to the same message.
    func exercise(_ payload: [UInt8], counts: inout [WireErrorReason: Int], successes: inout Int) {
        do {
            let m = try WireDecoder.observation(payload, maxJSONBytes: 4096)
            successes += 1
            do {
                let again = try WireDecoder.observation(try WireEncoder.observation(m, encoding: m.encoding))
                #expect(bitEqual(again, m), "\(payload)")
            } catch {
                #expect(error.reason == .oversized || error.reason == .badTopic, "\(error)")
            }
        } catch {
            counts[error.reason, default: 0] += 1
        }
        do {
            let p = try WireDecoder.prediction(payload, stream: "s")
            successes += 1
            let again = try WireDecoder.prediction(try WireEncoder.prediction(p, encoding: WireDecoder.encoding(of: payload)), stream: "s")
            #expect(again.prediction.isBitwiseEqual(to: p.prediction), "\(payload)")
        } catch {
            counts[error.reason, default: 0] += 1
        }
        _ = try? WireDecoder.topic(payload)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 2026)
        var counts: [WireErrorReason: Int] = [:]
        var successes = 0
        for i in 0..<20_000 {
            let length = Int(rng.next() % 80)
            var bytes: [UInt8]
            switch i % 3 {
            case 0:  // arbitrary bytes
                bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1:  // JSON-ish text
                bytes = [UInt8(ascii: "{")] + (0..<length).map { _ in Self.jsonAlphabet[Int(rng.next() % UInt64(Self.jsonAlphabet.count))] }
            default:  // binary-ish: a plausible header, random body
                var h = LEBytes.header(kind: [0, 1, 2, 3, 4, 16, 17, 99][Int(rng.next() % 8)], ny: UInt16(rng.next() % 4),
                                       nx: UInt16(rng.next() % 4), flags: UInt16(rng.next() % 5))
                h.bytes += (0..<(rng.next() % 3 == 0 ? length : Int(rng.next() % 8) * 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                bytes = h.bytes
            }
            exercise(bytes, counts: &counts, successes: &successes)
        }
        #expect(counts.values.reduce(0, +) > 20_000)
        #expect(successes > 0, "some random binary messages should decode")
    }

    @Test func mutatedValidMessagesNeverCrash() throws {
        var rng = SplitMix64(seed: 99)
        var seeds: [[UInt8]] = []
        for encoding in WireEncoding.allCases {
            for m in WireRoundTripTests.randomMessages(&rng, encoding: encoding) {
                seeds.append(try WireEncoder.observation(m, encoding: encoding))
            }
            for p in WirePredictionTests.randomPredictions(&rng) {
                seeds.append(try WireEncoder.prediction(p, encoding: encoding))
            }
        }
        seeds += WireJSONMalformedTests.malformed.prefix(20).map { Array($0.utf8) }
        seeds.append(Array(#"{"a":{"b":[1,"\ud83d\ude00",null,true]},"y":[1e5,-0.5]}"#.utf8))
        var counts: [WireErrorReason: Int] = [:]
        var successes = 0
        for _ in 0..<20_000 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + rng.next() % 4) {
                let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 6 {
                case 0 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1 where !bytes.isEmpty: bytes[at] ^= 1 << (rng.next() % 8)
                case 2: bytes.insert(Self.jsonAlphabet[Int(rng.next() % UInt64(Self.jsonAlphabet.count))], at: at)
                case 3 where !bytes.isEmpty: bytes.remove(at: at)
                case 4: bytes = Array(bytes.prefix(at))
                default:
                    let end = min(bytes.count, at + Int(rng.next() % 8))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                }
            }
            exercise(bytes, counts: &counts, successes: &successes)
        }
        // Both outcomes must occur, so the re-encode round trip above is exercised too.
        #expect(counts.values.reduce(0, +) > 1000)
        #expect(successes > 500)
    }
}
