import Foundation
import Logging
import PredictorEngine
import PredictordStats
import PredictordLogging
import PredictordTestSupport
import Systemd
import Testing

/// Environment variable that turns `LoggingJournalChild` on, naming the SYSLOG_IDENTIFIER to use.
private let childIdentVariable = "PREDICTORD_LOGGING_CHILD_IDENT"

/// Logs through `JournalLogHandler` from a child of this test binary inside a real systemd-journald in a private
/// mount namespace (``JournaldNamespace``, shared with SystemdTests' `JournaldIntegrationTests`) and reads the
/// entries back with `journalctl -o json`.
@Suite("Logging: JournalLogHandler against a real systemd-journald", .timeLimit(.minutes(1)))
struct JournaldLoggingIntegrationTests {
    static var canRun: Bool {
        if let reason = JournaldNamespace.skipReason {
            print("JournaldLoggingIntegrationTests skipped: \(reason)")
            return false
        }
        return true
    }

    @Test("error entry with metadata and the stats entry reach journald",
          .enabled(if: canRun, "needs root, unshare(1), journalctl and /lib/systemd/systemd-journald"))
    func entriesReachARealJournald() throws {
        let ident = "predictord-logging-test-\(getpid())"
        let run = try JournaldNamespace.run(childFilter: "LoggingJournalChild", variable: childIdentVariable, ident: ident)
        let (entries, diagnostics) = (run.entries, run.diagnostics)
        #expect(run.status == 0, "child or journald failed:\n\(diagnostics)")

        try #require(entries.count == 3, "expected three entries for \(ident), got \(entries.count):\n\(diagnostics)")

        let error = entries[0]
        #expect(Self.text(error["MESSAGE"]) == "dropped message from a/b")
        #expect(Self.text(error["PRIORITY"]) == "3")
        #expect(Self.text(error["SYSLOG_IDENTIFIER"]) == ident)
        #expect(Self.text(error["STREAM"]) == "a/b")
        #expect(Self.text(error["REASON"]) == "wrong_dimension")
        #expect(Self.text(error["CODE_FILE"]) == "PredictordLoggingTests/JournaldLoggingIntegrationTests.swift")
        #expect(Int(Self.text(error["CODE_LINE"]) ?? "") != nil)
        #expect(Self.text(error["CODE_FUNC"]) == "logsThroughJournalLogHandler()")
        #expect(Self.text(error["LOGGER_LABEL"]) == "predictord.engine")

        // The stats entry, once through the Logger (metadata) and once sent directly: same fields either way.
        for stats in entries[1...] {
            #expect(Self.text(stats["MESSAGE_ID"]) == StatsReporter.messageID)
            #expect(Self.text(stats["MESSAGE"]) == LoggingJournalChild.statsEntry.message)
            #expect(Self.text(stats["PRIORITY"]) == "6")
            #expect(Self.text(stats["SYSLOG_IDENTIFIER"]) == ident)
            #expect(Self.text(stats["OBSERVATIONS_PER_SEC"]) == "50.000")
            #expect(Self.text(stats["DROPS_WRONG_DIMENSION"]) == "2")
            #expect(Self.text(stats["MODEL_AR_MSE"]) == "0.5")
        }
    }

    /// journalctl's JSON value as text (``JournaldNamespace/text(_:)``).
    static func text(_ value: Any?) -> String? { JournaldNamespace.text(value) }
}

/// Not a test of its own: the entry point `JournaldLoggingIntegrationTests` runs inside the journald namespace.
@Suite("LoggingJournalChild")
struct LoggingJournalChild {
    /// The stats entry the child sends: 500 observations in 10 s, two wrong-dimension drops, one model.
    static var statsEntry: StatsEntry {
        var current = EngineCounters(modelCount: 1)
        current.observations = 500
        current.predictions = 500
        current.drops = ["wrong_dimension": 2]
        current.models[0].squaredErrorSum = 2
        current.models[0].squaredErrorCount = 4
        return StatsReporter.entry(
            previous: EngineCounters(modelCount: 1), current: current, elapsedSeconds: 10, contexts: 3,
            modelNames: ["ar"]
        )
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childIdentVariable] != nil,
                   "runs only as the child process of entriesReachARealJournald"))
    func logsThroughJournalLogHandler() throws {
        let ident = try #require(ProcessInfo.processInfo.environment[childIdentVariable])
        #expect(Journal.isAvailable)
        let setup = LoggingSetup(identifier: ident, level: .info, destination: .automatic)
        let logger = Logger(label: "predictord.engine") { setup.makeLogHandler(label: $0) }
        #expect(logger.handler is JournalLogHandler)
        logger.error("dropped message from a/b", metadata: ["stream": "a/b", "reason": "wrong_dimension"])
        let entry = Self.statsEntry
        logger.info("\(entry.message)", metadata: entry.metadata)
        #expect(Journal.send(entry.journalFields(identifier: ident)) == 0)
    }
}
