import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a real systemd-journald in a private mount namespace (tmpfs on /run and /var/log/journal, so the host's
/// journal is untouched), re-runs the current test binary inside it filtered to one child suite, and reads that
/// child's entries back with `journalctl -o json`. Shared by SystemdTests and PredictordLoggingTests.
package enum JournaldNamespace {
    package static let journald = "/lib/systemd/systemd-journald"
    package static let unshare = "/usr/bin/unshare"
    package static let journalctl = "/usr/bin/journalctl"

    /// Why it cannot run here, or nil when it can.
    package static var skipReason: String? {
        if getuid() != 0 { return "needs root (mount namespaces)" }
        for tool in [journald, unshare, journalctl] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "needs \(tool)"
        }
        return nil
    }

    /// What one run gave: the child's exit status, its journal entries (journalctl's JSON objects, in order) and
    /// the log of journald and the child (for failure messages).
    package struct Run {
        package var status: Int32
        package var entries: [[String: Any]]
        package var diagnostics: String
    }

    /// $1 identifier, $2 log file, $3 the environment variable that switches the child on; then the command.
    static let script = #"""
        set -u
        ident=$1; log=$2; variable=$3; shift 3
        mount -t tmpfs tmpfs /run || exit 90
        if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal || exit 91; fi
        mkdir -p /run/systemd/journal /run/log/journal
        /lib/systemd/systemd-journald >>"$log" 2>&1 &
        jpid=$!
        for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
        env "$variable=$ident" timeout 60 "$@" >>"$log" 2>&1
        rc=$?
        sleep 0.3
        journalctl --no-pager -o json -t "$ident"
        kill "$jpid"; wait "$jpid" 2>/dev/null
        exit $rc
        """#

    /// Runs this test binary's suite `childFilter` inside a fresh journald with `variable` set to `ident` (the
    /// child logs with that SYSLOG_IDENTIFIER); bounded by 90 s.
    package static func run(childFilter: String, variable: String, ident: String) throws -> Run {
        let log = NSTemporaryDirectory() + "\(ident).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = [
            "90", unshare, "-m", "--propagation", "private", "bash", "-c", script, "bash", ident, log, variable,
            testBinary, "--testing-library", "swift-testing", "--filter", childFilter,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let entries = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return Run(status: process.terminationStatus, entries: entries,
                   diagnostics: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// journalctl's JSON gives a value as a string, or as an array of byte values when it is not printable.
    package static func text(_ value: Any?) -> String? {
        if let string = value as? String { return string }
        if let bytes = value as? [Int] { return String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self) }
        return nil
    }
}
