import Foundation
import PredictordTestSupport
import Systemd
import Testing

/// Environment variable that turns `JournalChild.sendsOneEntry` on, naming the SYSLOG_IDENTIFIER to use.
private let childIdentVariable = "PREDICTORD_JOURNAL_CHILD_IDENT"

/// Sends one entry with `Journal.send` from a child of this test binary inside a real systemd-journald in a private
/// mount namespace (``JournaldNamespace``) and reads it back with `journalctl -o json`.
@Suite("Journal against a real systemd-journald", .timeLimit(.minutes(1)))
struct JournaldIntegrationTests {
    static var canRun: Bool { JournaldNamespace.skipReason == nil }

    @Test(.enabled(if: canRun, "needs root, unshare(1), journalctl and /lib/systemd/systemd-journald"))
    func entryReachesARealJournald() throws {
        let ident = "predictord-test-\(getpid())"
        let run = try JournaldNamespace.run(childFilter: "JournalChild", variable: childIdentVariable, ident: ident)
        #expect(run.status == 0, "child or journald failed:\n\(run.diagnostics)")
        try #require(run.entries.count == 1, "expected one entry for \(ident), got \(run.entries.count):\n\(run.diagnostics)")
        let entry = run.entries[0]
        let text = JournaldNamespace.text
        #expect(text(entry["MESSAGE"]) == "hello from the predictord tests\nsecond line")
        #expect(text(entry["PRIORITY"]) == "4")
        #expect(text(entry["SYSLOG_IDENTIFIER"]) == ident)
        #expect(text(entry["PREDICTORD_STREAM"]) == "sensor/7")
        #expect(text(entry["PID"]) == "1")  // sent as "_PID": renamed, so it cannot fake the trusted field
        #expect(text(entry["_PID"]) != "1")
        #expect(text(entry["F1ABC"]) == "x")
    }
}

/// Not a test of its own: the entry point `JournaldIntegrationTests` runs inside the journald namespace.
@Suite("JournalChild")
struct JournalChild {
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childIdentVariable] != nil,
                   "runs only as the child process of entryReachesARealJournald"))
    func sendsOneEntry() throws {
        let ident = try #require(ProcessInfo.processInfo.environment[childIdentVariable])
        #expect(Journal.isAvailable)
        let rc = Journal.send(
            message: "hello from the predictord tests\nsecond line",
            priority: .warning,
            identifier: ident,
            fields: [JournalField("predictord_stream", "sensor/7"), JournalField("_PID", "1"), JournalField("1abc", "x")]
        )
        #expect(rc == 0)
    }
}
