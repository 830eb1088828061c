import PredictorCore
import Testing
@testable import PredictorWire
import PredictordTestSupport

/// Decoding JSON observations: the protocol page's examples, field rules, number parsing and forward compatibility.
@Suite struct WireJSONObservationTests {
    func decode(_ text: String) throws(WireError) -> InboundMessage {
        try WireDecoder.observation(Array(text.utf8))
    }

    @Test func protocolExamples() throws {
        #expect(try decode(#"{"seq":7,"y":21.5}"#) == InboundMessage(body: .observation(.series([21.5])), seq: 7, encoding: .json))
        #expect(try decode(#"{"seq":8,"x":[1.0,0.2],"y":3.1}"#)
            == InboundMessage(body: .observation(.labelled(x: [1.0, 0.2], y: [3.1])), seq: 8, encoding: .json))
        #expect(try decode(#"{"x":[1.0,0.5]}"#) == InboundMessage(body: .query(x: [1.0, 0.5]), encoding: .json))
        #expect(try decode(#"{"seq":9,"z":2}"#) == InboundMessage(body: .observation(.symbol(2)), seq: 9, encoding: .json))
        #expect(try decode(#"{"reset":true}"#) == InboundMessage(body: .reset, encoding: .json))
    }

    @Test func vectorYTimestampAndWhitespace() throws {
        let m = try decode("{\n\t\"ts\" : 1700000000.25 ,\r\n \"y\" : [ 1 , -2.5e3 , 0 ] } \n")
        #expect(m == InboundMessage(body: .observation(.series([1, -2500, 0])), ts: 1_700_000_000.25, encoding: .json))
    }

    @Test func seqAndTsAcceptedWithReset() throws {
        #expect(try decode(#"{"seq":3,"ts":1.5,"reset":true}"#) == InboundMessage(body: .reset, seq: 3, ts: 1.5, encoding: .json))
    }

    @Test func unknownFieldsAreIgnoredButValidated() throws {
        let m = try decode(#"{"v":2,"meta":{"a":[1,{"b":null}],"c":"\u00e9"},"flag":false,"y":1}"#)
        #expect(m == InboundMessage(body: .observation(.series([1])), encoding: .json))
        #expect(observationError(#"{"meta":{"a":01},"y":1}"#)?.reason == .malformedJSON)
        #expect(observationError(#"{"meta":{"a":1,"a":2},"y":1}"#)?.reason == .malformedJSON)
        #expect(observationError(#"{"meta":1,"meta":2,"y":1}"#)?.reason == .malformedJSON)
    }

    @Test func streamFieldIsCarried() throws {
        let m = try decode(#"{"stream":"sensors/t\u00e9mp \ud83d\ude00","y":1}"#)
        #expect(m.stream == "sensors/témp 😀")
        #expect(observationError(#"{"stream":"","y":1}"#)?.reason == .badTopic)
        #expect(observationError(#"{"stream":"a\u0000b","y":1}"#)?.reason == .badTopic)
        #expect(observationError(#"{"stream":7,"y":1}"#)?.reason == .badField)
    }

    @Test func escapedKeysMatchFields() throws {
        #expect(try decode(#"{"\u0079":[2],"\u0073eq":1}"#) == InboundMessage(body: .observation(.series([2])), seq: 1, encoding: .json))
    }

    @Test func seqLimits() throws {
        #expect(try decode(#"{"seq":18446744073709551615,"y":1}"#).seq == UInt64.max)
        #expect(try decode(#"{"seq":0,"y":1}"#).seq == 0)
        for bad in ["18446744073709551616", "-1", "-0", "1.0", "1e3", "\"1\"", "null"] {
            #expect(observationError(#"{"seq":\#(bad),"y":1}"#)?.reason == .badField, "seq \(bad)")
        }
    }

    @Test func symbolLimits() throws {
        #expect(try decode(#"{"z":4294967295}"#).body == .observation(.symbol(4_294_967_295)))
        #expect(try decode(#"{"z":0}"#).body == .observation(.symbol(0)))
        for bad in ["4294967296", "-1", "1.5", "2.0", "1e0", "true", "[1]"] {
            #expect(observationError(#"{"z":\#(bad)}"#)?.reason == .badField, "z \(bad)")
        }
    }

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("-0.0", -0.0), ("0.1", 0.1), ("21.5", 21.5), ("1e308", 1e308), ("1E+2", 100),
        ("1e-400", 0), ("-1e-400", -0.0), ("4.9406564584124654e-324", .leastNonzeroMagnitude), ("2.2250738585072011e-308", Double.leastNormalMagnitude.nextDown),
        ("9007199254740993", 9_007_199_254_740_992), ("123456789012345678901234567890", 1.2345678901234568e+29),
        ("0.30000000000000004", 0.30000000000000004), ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ("0.000001", 1e-6), ("100000000000000000000000", 1e23), ("8.98846567431158e307", 8.98846567431158e307),
    ])
    func numbersAreCorrectlyRounded(text: String, expected: Double) throws {
        guard case let .observation(.series(y)) = try decode(#"{"y":\#(text)}"#).body else {
            Issue.record("not a series")
            return
        }
        #expect(y.first?.bitPattern == expected.bitPattern, "\(text) → \(y), expected \(expected)")
    }

    @Test func extremeNumberTexts() throws {
        let cases: [(String, Double)] = [
            ("0e999999999999", 0.0), ("-0e-999999999999", -0.0), ("1e-99999999999999999999", 0.0),
            ("0." + String(repeating: "0", count: 400) + "1e400", 0.1),  // 10^-401 · 10^400
            (String(repeating: "9", count: 300) + "e-300", 1.0),  // 1 − 10^-300 rounds to 1
        ]
        for (text, expected) in cases {
            guard case let .observation(.series(y)) = try decode(#"{"y":\#(text)}"#).body else { continue }
            #expect(y[0].bitPattern == expected.bitPattern, "\(text.prefix(20))")
        }
        #expect(observationError(#"{"y":1e1000000000000000000000}"#)?.reason == .nonFinite)
        #expect(observationError("{\"y\":1" + String(repeating: "0", count: 400) + "}")?.reason == .nonFinite)
    }

    @Test func fastNumberPathAgreesWithStandardLibrary() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<5000 {
            // Short decimals hit the exact fast path; compare with the standard library's correctly rounded parse.
            let digits = String(rng.next() % 10_000_000_000_000_000)
            let point = Int(rng.next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(point)) + (point < digits.count ? "." + digits.dropFirst(point) : "")
            if text.hasPrefix(".") { text = "0" + text }
            if text.count > 1 && text.hasPrefix("0") && !text.hasPrefix("0.") { continue }
            text += "e\(Int(rng.next() % 60) - 30)"
            let expected = Double(text)!
            guard case let .observation(.series(y)) = try decode(#"{"y":\#(text)}"#).body else { continue }
            #expect(y[0].bitPattern == expected.bitPattern, "\(text)")
        }
    }

    @Test func combinationsAreRejectedWithClearReasons() {
        let cases = [
            #"{"y":1,"z":2}"#, #"{"x":[1],"z":2}"#, #"{"reset":true,"y":1}"#, #"{"reset":true,"z":1}"#,
            #"{"reset":false}"#, #"{"reset":1}"#, "{}", #"{"seq":1}"#, #"{"y":[]}"#, #"{"x":[],"y":1}"#,
            #"{"x":1}"#, #"{"y":"1"}"#, #"{"y":[1,null]}"#, #"{"y":[[1]]}"#, #"{"ts":"now","y":1}"#,
        ]
        for text in cases {
            #expect(observationError(text)?.reason == .badField, "\(text): \(String(describing: observationError(text)))")
        }
        #expect(observationError(#"{"y":1,"z":2}"#)?.message.contains("'z'") == true)
        #expect(observationError("{}")?.message.contains("'y'") == true)
    }
}
