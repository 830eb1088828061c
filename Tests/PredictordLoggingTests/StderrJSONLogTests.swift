import Foundation
import Logging
import PredictordLogging
import Testing

/// `logging.format: json`: each entry one JSON object, read back by Foundation's JSON parser with every field.
@Suite struct StderrJSONLogTests {
    @Test func entryIsOneParsableJSONObjectWithMessageMetadataAndError() throws {
        struct Failure: Error, CustomStringConvertible { var description: String { "disk \"full\"" } }
        var handler = StderrLogHandler(label: "predictord", json: true)
        handler.metadata = ["shared": "handler", "nested": ["a": "1"]]
        let line = handler.jsonLine(
            for: StderrLogHandlerTests.event("dropped\tmessage \"x\"\nnext", metadata: ["reason": "wrong_dimension", "level": "oops"],
                                             error: Failure()),
            timestamp: "2026-12-02T01:00:00.000Z")
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object == [
            "time": "2026-12-02T01:00:00.000Z", "level": "warning", "label": "predictord",
            "message": "dropped\tmessage \"x\"\nnext", "reason": "wrong_dimension", "shared": "handler", "nested.a": "1",
            "metadata.level": "oops", "error": "disk \"full\"",
        ])
    }

    @Test func textStaysTheDefault() {
        let handler = StderrLogHandler(label: "predictord")
        #expect(handler.json == false)
        #expect(LoggingSetup().json == false)
    }
}
