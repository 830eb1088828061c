import PredictorCore
import Testing
@testable import PredictorWire

/// The recovery question `{"state":true}` (binary kind 5) and its answer's marker (`"state":true`, binary flag bit 3).
@Suite struct WireStateMessageTests {
    func decode(_ text: String) throws(WireError) -> InboundMessage {
        try WireDecoder.observation(Array(text.utf8))
    }

    @Test func jsonQuestionDecodesAndRefusesCombinations() throws {
        #expect(try decode(#"{"state":true}"#) == InboundMessage(body: .state, encoding: .json))
        #expect(try decode(#"{"ts":2.5,"state":true}"#) == InboundMessage(body: .state, ts: 2.5, encoding: .json))
        for bad in [#"{"state":true,"y":1}"#, #"{"state":true,"reset":true}"#, #"{"z":1,"state":true}"#, #"{"state":false}"#, #"{"state":1}"#] {
            let error = #expect(throws: WireError.self) { try decode(bad) }
            #expect(error?.reason == .badField, "\(bad)")
            #expect(error?.message.contains("state") == true, "\(bad): \(String(describing: error))")
        }
        #expect(throws: WireError.self) { try decode(#"{"state":true,"state":true}"#) }
    }

    @Test func questionRoundTripsInBothEncodings() throws {
        let message = InboundMessage(body: .state, seq: nil, ts: 7.25, encoding: .binary)
        let binary = try WireEncoder.observation(message, encoding: .binary)
        #expect(binary.count == 24 && binary[0] == 1 && binary[1] == 5)
        #expect(try WireDecoder.observation(binary) == message)
        var json = message
        json.encoding = .json
        let text = try WireEncoder.observation(json, encoding: .json)
        #expect(String(decoding: text, as: UTF8.self) == #"{"ts":7.25,"state":true}"#)
        #expect(try WireDecoder.observation(text) == json)
        // Binary kind 5 carries no body: ny/nx must be 0 and the length exactly the header.
        var long = binary
        long.append(0)
        #expect(throws: WireError.self) { try WireDecoder.observation(long) }
    }

    @Test func answerIsMarkedAndDecodes() throws {
        var answer = OutboundPrediction(stream: "s/1", model: "rls", seq: 22,
                                        prediction: Prediction(kind: .real, count: 21, mean: [0.5], variance: [0.25], error: [.nan]))
        answer.isState = true
        let json = try WireEncoder.prediction(answer, encoding: .json)
        #expect(String(decoding: json, as: UTF8.self) == #"{"stream":"s/1","seq":22,"model":"rls","n":21,"mean":0.5,"var":0.25,"state":true}"#)
        let back = try WireDecoder.prediction(json, stream: "s/1")
        #expect(back.isState && back.seq == 22 && back.prediction.count == 21)
        let binary = try WireEncoder.prediction(answer, encoding: .binary)
        #expect(binary[6] & 8 == 8, "flag bit 3")
        let fromBinary = try WireDecoder.prediction(binary, stream: "s/1")
        #expect(fromBinary.isState && fromBinary.seq == 22 && fromBinary.prediction.count == 21)
        // An ordinary prediction carries neither mark.
        answer.isState = false
        #expect(try WireDecoder.prediction(try WireEncoder.prediction(answer, encoding: .json), stream: "s/1").isState == false)
        #expect(try WireEncoder.prediction(answer, encoding: .binary)[6] & 8 == 0)
        // Flag bit 3 is not defined for observations.
        var observation = try WireEncoder.observation(InboundMessage(body: .reset, encoding: .binary), encoding: .binary)
        observation[6] |= 8
        #expect(throws: WireError.self) { try WireDecoder.observation(observation) }
    }
}
