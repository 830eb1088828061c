import Foundation
import Logging
import PredictorEngine
import PredictordLogging
import Systemd
import Testing

/// Environment variable that turns `LoggingJournalChild` on, naming the SYSLOG_IDENTIFIER to use.
private let childIdentVariable = "PREDICTORD_LOGGING_CHILD_IDENT"

/// Runs a real systemd-journald in a private mount namespace (tmpfs on /run and /var/log/journal, so the host's
/// journal is untouched), re-runs this test binary inside it to log through `JournalLogHandler`, and reads the
/// entries back with `journalctl -o json` (pattern of SystemdTests' `JournaldIntegrationTests`).
@Suite("Logging: JournalLogHandler against a real systemd-journald", .timeLimit(.minutes(1)))
struct JournaldLoggingIntegrationTests {
    static let journald = "/lib/systemd/systemd-journald"
    static let unshare = "/usr/bin/unshare"
    static let journalctl = "/usr/bin/journalctl"

    /// Why the test cannot run here, or nil when it can.
    static var skipReason: String? {
        if getuid() != 0 { return "needs root (mount namespaces)" }
        for tool in [journald, unshare, journalctl] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "needs \(tool)"
        }
        return nil
    }

    static var canRun: Bool {
        if let reason = skipReason {
            print("JournaldLoggingIntegrationTests skipped: \(reason)")
            return false
        }
        return true
    }

    static let script = #"""
        set -u
        ident=$1; log=$2; shift 2
        mount -t tmpfs tmpfs /run || exit 90
        if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal || exit 91; fi
        mkdir -p /run/systemd/journal /run/log/journal
        /lib/systemd/systemd-journald >>"$log" 2>&1 &
        jpid=$!
        for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
        PREDICTORD_LOGGING_CHILD_IDENT="$ident" timeout 60 "$@" >>"$log" 2>&1
        rc=$?
        sleep 0.3
        journalctl --no-pager -o json -t "$ident"
        kill "$jpid"; wait "$jpid" 2>/dev/null
        exit $rc
        """#

    @Test("error entry with metadata and the stats entry reach journald",
          .enabled(if: canRun, "needs root, unshare(1), journalctl and /lib/systemd/systemd-journald"))
    func entriesReachARealJournald() throws {
        let ident = "predictord-logging-test-\(getpid())"
        let log = NSTemporaryDirectory() + "\(ident).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = [
            "90", Self.unshare, "-m", "--propagation", "private", "bash", "-c", Self.script, "bash", ident, log,
            testBinary, "--testing-library", "swift-testing", "--filter", "LoggingJournalChild",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let diagnostics = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "child or journald failed:\n\(diagnostics)")

        let entries = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
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

    /// journalctl's JSON gives a value as a string, or as an array of byte values when it is not printable.
    static func text(_ value: Any?) -> String? {
        if let string = value as? String { return string }
        if let bytes = value as? [Int] {
            return String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        }
        return nil
    }
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
