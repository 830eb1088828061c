import Testing
@testable import PredictorWire

/// Invalid JSON and limits: each is a `WireError` with the right reason, never a crash.
@Suite struct WireJSONMalformedTests {
    static let malformed: [String] = [
        #"{"y":1} x"#, #"{"y":1}}"#, #"{"y":1,}"#, #"{"y":1"#, #"{"y""#, #"{"y:1}"#, #"{"y" 1}"#, #"{y:1}"#,
        #"{'y':1}"#, #"{"y":01}"#, #"{"y":-01}"#, #"{"y":00}"#, #"{"y":NaN}"#, #"{"y":Infinity}"#, #"{"y":-Infinity}"#,
        #"{"y":+1}"#, #"{"y":.5}"#, #"{"y":1.}"#, #"{"y":1e}"#, #"{"y":1e+}"#, #"{"y":-}"#, #"{"y":0x10}"#,
        #"{"y":[1,]}"#, #"{"y":[,1]}"#, #"{"y":[1 2]}"#, #"{"y":[1}"#, #"{"a":"unterminated}"#, #"{"a":"\x"}"#,
        #"{"a":"\u12"}"#, #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud800\u0041"}"#, #"{"a":tru}"#,
        #"{"a":nul,"y":1}"#, #"{"a":True}"#, "{\"a\":\"tab\there\",\"y\":1}", "{\"a\":\"nl\nhere\",\"y\":1}",
        #"{"y":1,"y":2}"#, #"{"seq":1,"seq":1,"y":1}"#, "{", #"{"y":1}\#u{0}"#, #"{"y":1} {"y":2}"#,
        #"{"a":[[[[[[[[1]]]]]]]],"y":1}"#,
        "{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + ",\"y\":1}",
        "{\"a\":" + String(repeating: "{\"b\":", count: 100) + "1" + String(repeating: "}", count: 100) + ",\"y\":1}",
    ]

    @Test(arguments: malformed)
    func invalidJSONIsMalformed(text: String) {
        let error = observationError(text)
        #expect(error?.reason == .malformedJSON, "\(text): \(String(describing: error))")
    }

    @Test func nestingUpToEightLevelsIsAccepted() throws {
        // Top-level object (1) + seven arrays (2...8).
        _ = try WireDecoder.observation(Array(#"{"a":[[[[[[[1]]]]]]],"y":1}"#.utf8))
    }

    @Test func invalidUTF8IsMalformed() {
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3]] {
            let payload = Array(#"{"a":""#.utf8) + bad + Array(#"","y":1}"#.utf8)
            #expect(observationError(payload)?.reason == .malformedJSON, "\(bad)")
        }
        let ok = Array(#"{"a":""#.utf8) + [0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80] + Array(#"","y":1}"#.utf8)
        #expect(observationError(ok) == nil)
    }

    @Test func overflowingNumbersAreNonFinite() {
        for text in [#"{"y":1e999}"#, #"{"y":[1,-1e999]}"#, #"{"ts":1e400,"y":1}"#, #"{"x":[2e308],"y":1}"#] {
            #expect(observationError(text)?.reason == .nonFinite, "\(text)")
        }
        #expect(observationError(#"{"y":[1,-1e999]}"#)?.message.contains("'y[1]'") == true)
    }

    @Test func sizeLimits() {
        let big = "{\"pad\":\"" + String(repeating: "a", count: 1 << 20) + "\",\"y\":1}"
        #expect(observationError(Array(big.utf8))?.reason == .oversized)
        let justFits = "{\"y\":1,\"p\":\"" + String(repeating: "a", count: 65536 - 14) + "\"}"
        #expect(justFits.utf8.count == 65536)
        #expect(observationError(Array(justFits.utf8)) == nil)
        #expect(observationError(Array(justFits.utf8), maxJSONBytes: 1000)?.reason == .oversized)
        let longArray = "{\"y\":[" + Array(repeating: "0", count: 65536).joined(separator: ",") + "]}"
        #expect(observationError(Array(longArray.utf8), maxJSONBytes: 1 << 20)?.reason == .oversized)
        let maxArray = "{\"y\":[" + Array(repeating: "0", count: 65535).joined(separator: ",") + "]}"
        #expect(observationError(Array(maxArray.utf8), maxJSONBytes: 1 << 20) == nil)
    }

    @Test func unsupportedEncodings() {
        for payload: [UInt8] in [[], [0x02], [0x20, 0x7B, 0x7D], [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], Array("[1]".utf8)] {
            #expect(observationError(payload)?.reason == .unsupportedEncoding, "\(payload)")
        }
        #expect(observationError([0x5B])?.message.contains("0x5b") == true)
    }
}
