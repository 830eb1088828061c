import PredictorCore
import Testing
@testable import PredictorWire

/// The daemon decodes every payload into one reused message; the result must never depend on what it held before.
@Suite struct WireDecodeReuseTests {
    @Test("decoding into a reused message equals a fresh decode, for every kind after every kind, errors included")
    func reuseEqualsFresh() throws {
        var payloads = WireBinaryTests.samples().map(\.0)
        // Vectors of other lengths (shorter and longer than the previous one), JSON, and payloads that fail to decode.
        for body: InboundMessage.Body in [.observation(.series([1, 2, 3, 4, 5])), .observation(.labelled(x: [9], y: [8, 7, 6])), .query(x: [0.25])] {
            payloads.append(try WireEncoder.observation(InboundMessage(body: body, seq: 3, encoding: .binary), encoding: .binary))
        }
        payloads.append(Array(#"{"y":[4.5],"seq":2}"#.utf8))
        var nan = LEBytes.header(kind: 0, ny: 2)
        nan.f64s([1, .nan])
        payloads += [nan.bytes, [1, 0], [], Array(#"{"y":"#.utf8)]
        for first in payloads {
            for second in payloads {
                var reused = InboundMessage(body: .reset, encoding: .json)
                _ = try? decode(first, into: &reused)
                let held = reused
                let fresh = Result { () throws(WireError) in try WireDecoder.observation(second) }
                let again = Result { () throws(WireError) in try decode(second, into: &reused) }
                switch (fresh, again) {
                case let (.success(expected), .success):
                    #expect(reused == expected, "\(second) after \(first)")
                case let (.failure(expected), .failure(actual)):
                    #expect(expected == actual)
                default:
                    Issue.record("fresh and reused decode disagree on \(second) after \(first)")
                }
                // A value taken from the message before it was reused keeps its contents (copy on write).
                #expect(held == (try? WireDecoder.observation(first)) || (try? WireDecoder.observation(first)) == nil)
            }
        }
    }

    private func decode(_ bytes: [UInt8], into message: inout InboundMessage) throws(WireError) {
        try bytes.withUnsafeBytes { p in Result { () throws(WireError) in try WireDecoder.observation(p, into: &message) } }.get()
    }
}
