import Logging
import PredictordLogging
import Systemd
import Testing

@Suite("Logging: JournalLogHandler fields")
struct JournalLogHandlerTests {
    static func event(
        _ level: Logger.Level = .info,
        _ message: Logger.Message = "hello",
        metadata: Logger.Metadata? = nil,
        error: (any Error)? = nil
    ) -> LogEvent {
        LogEvent(
            level: level, message: message, error: error, metadata: metadata, source: "Tests",
            file: "PredictordLoggingTests/JournalLogHandlerTests.swift", function: "someTest()", line: 42
        )
    }

    @Test(arguments: [
        (Logger.Level.trace, JournalPriority.debug), (.debug, .debug), (.info, .info), (.notice, .notice),
        (.warning, .warning), (.error, .error), (.critical, .critical),
    ])
    func priorityMapping(level: Logger.Level, expected: JournalPriority) {
        #expect(JournalPriority(level) == expected)
        let fields = JournalLogHandler(label: "x", sink: { _ in }).fields(for: Self.event(level))
        #expect(fields.value("PRIORITY") == String(expected.rawValue))
    }

    @Test func priorityValuesAreSyslogSeverities() {
        let values = [Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map {
            JournalPriority($0).rawValue
        }
        #expect(values == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func standardFieldsComeFirstInOrder() {
        let handler = JournalLogHandler(label: "predictord.engine", sink: { _ in })
        let fields = handler.fields(for: Self.event(.warning, "two\nlines"))
        #expect(fields.map(\.name) == [
            "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "LOGGER_LABEL",
        ])
        #expect(fields.value("MESSAGE") == "two\nlines")
        #expect(fields.value("PRIORITY") == "4")
        #expect(fields.value("SYSLOG_IDENTIFIER") == "predictord")
        #expect(fields.value("CODE_FILE") == "PredictordLoggingTests/JournalLogHandlerTests.swift")
        #expect(fields.value("CODE_LINE") == "42")
        #expect(fields.value("CODE_FUNC") == "someTest()")
        #expect(fields.value("LOGGER_LABEL") == "predictord.engine")
    }

    @Test func identifierIsConfigurable() {
        let handler = JournalLogHandler(label: "x", identifier: "predictord-dev", sink: { _ in })
        let fields = handler.fields(for: Self.event())
        #expect(fields.value("SYSLOG_IDENTIFIER") == "predictord-dev")
    }

    @Test func metadataKeysBecomeSanitizedUpperCaseFields() {
        let fields = JournalLogHandler(label: "x", sink: { _ in }).fields(for: Self.event(metadata: [
            "stream": "a/b",
            "seq-gap": .stringConvertible(17),
            "_pid": "1",
            "2nd": "x",
            "http": ["status": .stringConvertible(200), "peer": ["host": "h", "port": "9"]],
            "dims": .array(["1", "2"]),
            "empty": [:],
        ]))
        #expect(fields.value("STREAM") == "a/b")
        #expect(fields.value("SEQ_GAP") == "17")
        #expect(fields.value("PID") == "1")  // never the trusted _PID
        #expect(fields.value("F2ND") == "x")
        #expect(fields.value("HTTP_STATUS") == "200")
        #expect(fields.value("HTTP_PEER_HOST") == "h")
        #expect(fields.value("HTTP_PEER_PORT") == "9")
        #expect(fields.value("DIMS") == #"["1", "2"]"#)
        #expect(fields.values("EMPTY").isEmpty)
        // Metadata fields follow the standard ones, sorted by their metadata key path.
        #expect(Array(fields.map(\.name).dropFirst(7)) == [
            "F2ND", "PID", "DIMS", "HTTP_PEER_HOST", "HTTP_PEER_PORT", "HTTP_STATUS", "SEQ_GAP", "STREAM",
        ])
    }

    @Test func metadataCannotOverrideTheHandlersOwnFields() {
        let fields = JournalLogHandler(label: "x", sink: { _ in }).fields(for: Self.event(metadata: [
            "message": "fake", "priority": "0", "code_line": "1", "message_id": "0123456789abcdef0123456789abcdef",
        ]))
        #expect(fields.value("MESSAGE") == "hello")
        #expect(fields.value("PRIORITY") == "6")
        #expect(fields.value("CODE_LINE") == "42")
        #expect(fields.value("METADATA_MESSAGE") == "fake")
        #expect(fields.value("METADATA_PRIORITY") == "0")
        #expect(fields.value("METADATA_CODE_LINE") == "1")
        #expect(fields.value("MESSAGE_ID") == "0123456789abcdef0123456789abcdef")  // allowed on purpose
    }

    @Test func perCallMetadataOverridesProviderAndHandlerMetadata() {
        let provider = Logger.MetadataProvider { ["task": "from-provider", "shared": "provider"] }
        var handler = JournalLogHandler(label: "x", metadataProvider: provider, sink: { _ in })
        handler.metadata = ["shared": "handler", "handler_only": "h", "task": "handler"]
        let fields = handler.fields(for: Self.event(metadata: ["shared": "call", "call_only": "c"]))
        #expect(fields.value("SHARED") == "call")
        #expect(fields.value("TASK") == "from-provider")
        #expect(fields.value("HANDLER_ONLY") == "h")
        #expect(fields.value("CALL_ONLY") == "c")
    }

    @Test func errorBecomesAField() {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk full" } }
        let fields = JournalLogHandler(label: "x", sink: { _ in }).fields(for: Self.event(.error, error: Broken()))
        #expect(fields.value("ERROR") == "disk full")
    }

    @Test func loggerSendsOneEntryPerCallAtTheHandlersLevel() throws {
        let recorder = EntryRecorder()
        var logger = Logger(label: "predictord.test") { label in
            JournalLogHandler(label: label, identifier: "predictord-test", sink: recorder.sink)
        }
        logger.logLevel = .notice
        logger[metadataKey: "model"] = "ar"
        logger.info("not sent")
        logger.error("dropped", metadata: ["stream": "a/b", "reason": "wrong_dimension"])
        logger.notice("kept", metadata: ["model": "hmm"])
        let entries = recorder.entries
        try #require(entries.count == 2)
        #expect(entries[0].value("MESSAGE") == "dropped")
        #expect(entries[0].value("PRIORITY") == "3")
        #expect(entries[0].value("STREAM") == "a/b")
        #expect(entries[0].value("REASON") == "wrong_dimension")
        #expect(entries[0].value("MODEL") == "ar")
        #expect(entries[0].value("LOGGER_LABEL") == "predictord.test")
        #expect(entries[0].value("CODE_FILE")?.hasSuffix("JournalLogHandlerTests.swift") == true)
        #expect(entries[0].value("CODE_FUNC") == "loggerSendsOneEntryPerCallAtTheHandlersLevel()")
        #expect(entries[1].value("MODEL") == "hmm")
        #expect(entries[1].value("PRIORITY") == "5")
    }

    @Test func metadataProviderIsUsedThroughTheLogger() {
        let recorder = EntryRecorder()
        let provider = Logger.MetadataProvider { ["request": "r-1"] }
        let logger = Logger(label: "p") { label in
            JournalLogHandler(label: label, metadataProvider: provider, sink: recorder.sink)
        }
        logger.info("with provider")
        #expect(recorder.entries.first?.value("REQUEST") == "r-1")
    }
}
