import Foundation
import Systemd
import Testing

/// Environment variable that turns `JournalChild.sendsOneEntry` on, naming the SYSLOG_IDENTIFIER to use.
private let childIdentVariable = "PREDICTORD_JOURNAL_CHILD_IDENT"

/// Runs a real systemd-journald in a private mount namespace (tmpfs on /run and /var/log/journal, so the host's
/// journal is untouched), re-runs this test binary inside it to send one entry with `Journal.send`, and reads
/// the entry back with `journalctl -o json`.
@Suite("Journal against a real systemd-journald", .timeLimit(.minutes(1)))
struct JournaldIntegrationTests {
    static let journald = "/lib/systemd/systemd-journald"
    static let unshare = "/usr/bin/unshare"
    static var canRun: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: journald)
            && FileManager.default.isExecutableFile(atPath: unshare)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl")
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
        PREDICTORD_JOURNAL_CHILD_IDENT="$ident" timeout 60 "$@" >>"$log" 2>&1
        rc=$?
        sleep 0.3
        journalctl --no-pager -o json -t "$ident"
        kill "$jpid"; wait "$jpid" 2>/dev/null
        exit $rc
        """#

    @Test(.enabled(if: canRun, "needs root, unshare(1), journalctl and /lib/systemd/systemd-journald"))
    func entryReachesARealJournald() throws {
        let ident = "predictord-test-\(getpid())"
        let log = NSTemporaryDirectory() + "\(ident).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = [
            "90", Self.unshare, "-m", "--propagation", "private", "bash", "-c", Self.script, "bash", ident, log,
            testBinary, "--testing-library", "swift-testing", "--filter", "JournalChild",
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
        try #require(entries.count == 1, "expected one entry for \(ident), got \(entries.count):\n\(diagnostics)")
        let entry = entries[0]
        #expect(Self.text(entry["MESSAGE"]) == "hello from the predictord tests\nsecond line")
        #expect(Self.text(entry["PRIORITY"]) == "4")
        #expect(Self.text(entry["SYSLOG_IDENTIFIER"]) == ident)
        #expect(Self.text(entry["PREDICTORD_STREAM"]) == "sensor/7")
        #expect(Self.text(entry["PID"]) == "1")  // sent as "_PID": renamed, so it cannot fake the trusted field
        #expect(Self.text(entry["_PID"]) != "1")
        #expect(Self.text(entry["F1ABC"]) == "x")
    }

    /// journalctl's JSON gives a value as a string, or as an array of byte values when it is not printable.
    static func text(_ value: Any?) -> String? {
        if let string = value as? String { return string }
        if let bytes = value as? [Int] { return String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self) }
        return nil
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
