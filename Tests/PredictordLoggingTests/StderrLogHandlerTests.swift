import Logging
import PredictordLogging
import Testing

@Suite("Logging: StderrLogHandler lines and LoggingSetup")
struct StderrLogHandlerTests {
    static func event(_ message: Logger.Message, metadata: Logger.Metadata? = nil, error: (any Error)? = nil)
        -> LogEvent
    {
        LogEvent(
            level: .warning, message: message, error: error, metadata: metadata, source: nil, file: "M/F.swift",
            function: "f()", line: 1
        )
    }

    @Test func lineHasTimestampLevelLabelMessageAndSortedMetadata() {
        var handler = StderrLogHandler(label: "predictord.engine")
        handler.metadata = ["stream": "a/b", "shared": "handler"]
        let line = handler.line(
            for: Self.event("dropped", metadata: ["reason": "wrong_dimension", "shared": "call"]),
            timestamp: "2026-11-23T19:40:00.123Z"
        )
        let expected = "2026-11-23T19:40:00.123Z warning predictord.engine: "
            + "dropped reason=wrong_dimension shared=call stream=a/b"
        #expect(line == expected)
    }

    @Test func lineStaysOnOneLineAndQuotesAwkwardValues() {
        let handler = StderrLogHandler(label: "l")
        let line = handler.line(
            for: Self.event("first\nsecond", metadata: [
                "path": "a b", "quote": "say \"hi\"", "empty": "", "multi": "x\ny", "nested": ["k": "v"],
            ]),
            timestamp: "T"
        )
        #expect(line == #"T warning l: first\nsecond empty="" multi="x\ny" nested.k=v path="a b" quote="say \"hi\"""#)
        #expect(!line.contains("\n"))
    }

    @Test func errorIsAppendedLast() {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk full" } }
        let event = Self.event("x", metadata: ["a": "1"], error: Broken())
        let line = StderrLogHandler(label: "l").line(for: event, timestamp: "T")
        #expect(line == #"T warning l: x a=1 error="disk full""#)
    }

    @Test func timestampIsUTCWithMilliseconds() {
        let stamp = StderrLogHandler.timestamp()
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(Array(stamp)[10] == "T")
        #expect(stamp.hasPrefix("20"))
    }

    @Test func setupChoosesTheJournalOnlyWhenAvailable() {
        let automatic = LoggingSetup()
        #expect(automatic.resolvedDestination(journalAvailable: true) == .journal)
        #expect(automatic.resolvedDestination(journalAvailable: false) == .stderr)
        #expect(LoggingSetup(destination: .stderr).resolvedDestination(journalAvailable: true) == .stderr)
        #expect(LoggingSetup(destination: .journal).resolvedDestination(journalAvailable: false) == .journal)
    }

    @Test func setupMakesHandlersAtItsLevel() {
        let stderr = LoggingSetup(level: .debug, destination: .stderr).makeLogHandler(label: "a")
        #expect(stderr is StderrLogHandler)
        #expect(stderr.logLevel == .debug)
        let journal = LoggingSetup(identifier: "id", level: .error, destination: .journal).makeLogHandler(label: "b")
        #expect((journal as? JournalLogHandler)?.identifier == "id")
        #expect(journal.logLevel == .error)
    }
}
