import Testing
@testable import PredictorWire

/// Topic frames: 1–255 bytes of UTF-8 without NUL.
@Suite struct WireTopicTests {
    func reason(_ bytes: [UInt8]) -> WireErrorReason? {
        do {
            _ = try WireDecoder.topic(bytes)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func validTopics() throws {
        #expect(try WireDecoder.topic(Array("sensors/temp".utf8)) == "sensors/temp")
        #expect(try WireDecoder.topic(Array("é😀".utf8)) == "é😀")
        #expect(try WireDecoder.topic([UInt8](repeating: 0x61, count: 255)).utf8.count == 255)
    }

    @Test func invalidTopics() {
        #expect(reason([]) == .badTopic)
        #expect(reason([UInt8](repeating: 0x61, count: 256)) == .badTopic)
        #expect(reason([0x61, 0, 0x62]) == .badTopic)
        #expect(reason([0xFF]) == .badTopic)
        #expect(reason([0xC3]) == .badTopic)
        #expect(reason([0xED, 0xA0, 0x80]) == .badTopic)
    }

    @Test func errorTextNamesTheReason() {
        let e = WireError(.badTopic, "topic is 0 bytes")
        #expect(e.description == "bad_topic: topic is 0 bytes")
        #expect(WireErrorReason.malformedJSON.counterKey == "malformed_json")
    }
}
