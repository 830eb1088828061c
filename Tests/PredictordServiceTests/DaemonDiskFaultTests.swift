import Foundation
import PredictordConfig
import PredictorWire
import PredictordState
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// A state directory that fills up or turns read-only under the running daemon: it keeps predicting exactly,
    /// logs one error per failure streak and one recovery notice, says so in STATUS=, retries at the checkpoint
    /// interval, and the previous checkpoint stays intact. The daemon runs in a private mount namespace
    /// (`unshare -m`) whose state directory is a tiny tmpfs or a bind mount that the test remounts read-only
    /// (`nsenter`); root only (root ignores chmod, so permissions cannot make a directory read-only).
    @Suite("disk faults")
    struct DiskFaults {
        static let unshare = "/usr/bin/unshare"
        static let nsenter = "/usr/bin/nsenter"

        /// Why the tests cannot run here, or nil when they can (probes a real tmpfs mount in a namespace).
        static let skipReason: String? = {
            if geteuid() != 0 { return "needs root (mount namespaces)" }
            for tool in [unshare, nsenter, "/bin/sh"] where !FileManager.default.isExecutableFile(atPath: tool) {
                return "needs \(tool)"
            }
            let probe = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-mount-probe-\(getpid())")
            try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: probe) }
            guard let status = try? run(unshare, ["-m", "--propagation", "private", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]),
                  status == 0 else {
                return "unshare -m cannot mount a tmpfs here (no CAP_SYS_ADMIN?)"
            }
            return nil
        }()

        static var canRun: Bool {
            if let skipReason {
                print("DiskFaults skipped: \(skipReason)")
                return false
            }
            return true
        }

        static let streams: [(String, Workload.Kind, WireEncoding)] = [
            ("series/d", .series, .json), ("pairs/d", .pairs, .binary), ("weather/d", .weather, .json),
        ]

        /// Runs a program to completion (bounded to 20 s); returns its exit status.
        @discardableResult
        static func run(_ program: String, _ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            try process.run()
            if !waitUntil(20, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// The daemon's view of `path` (its mount namespace) from outside.
        static func inside(_ daemon: DaemonProcess, _ path: String) -> String { "/proc/\(daemon.pid)/root\(path)" }

        /// Fills the file system holding `directory` with `filler` until ENOSPC; returns the bytes written.
        static func fill(_ filler: String) throws -> Int {
            let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw HarnessError("open \(filler): errno \(errno)") }
            defer { close(fd) }
            let chunk = [UInt8](repeating: 0xA5, count: 4096)
            var total = 0
            while true {
                let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    guard errno == ENOSPC || n == 0 else { throw HarnessError("filling \(filler): errno \(errno)") }
                    return total
                }
                total += n
            }
        }

        /// The latest STATUS= line.
        static func lastStatus(_ daemon: DaemonProcess) -> String {
            daemon.notify.lines.last { $0.hasPrefix("STATUS=") } ?? ""
        }

        /// The common scenario: checkpoint ok → `fault` → failing (one error, STATUS, previous file intact, exact
        /// predictions go on) → `repair` → recovered (one notice, STATUS ok, a new checkpoint with everything).
        static func scenario(label: String, launcherScript: String, reason: String, journal: String = "write",
                             fault: (DaemonProcess, _ state: String) throws -> Void,
                             repair: (DaemonProcess, _ state: String) throws -> Void) throws {
            let directory = try Harness.temporaryDirectory(label)
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            let items = Workload.make(seed: 23, perStream: 90, streams: streams)
            let expected = try Oracle.replay(items, directory: directory)
            #expect(expected.count == items.count)
            let cut = items.count / 3, cut2 = 2 * items.count / 3

            let launcher = [unshare, "-m", "--propagation", "private", "/bin/sh", "-c", launcherScript, "sh", state.path]
            let daemon = try DaemonProcess.start(stateDirectory: state, directory: directory, name: label, launcher: launcher) {
                $0.checkpointIntervalSeconds = 0.2
                $0.statsIntervalSeconds = 0.3
                $0.journal = DaemonConfiguration.JournalMode(rawValue: journal)!
            }
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            defer { client.close() }
            let checkpoint = inside(daemon, state.path + "/checkpoint.bin")

            // 1. Healthy: predictions flow and a checkpoint with all three streams is written.
            for item in items[..<cut] { try client.send(item.stream, try item.payload()) }
            var received = try client.collect(count: cut, settle: 0.1)
            let healthy = waitUntil(10) {
                guard let bytes = FileManager.default.contents(atPath: checkpoint),
                      let decoded = try? CheckpointCodec.decode(Array(bytes)) else { return false }
                return decoded.contexts.count >= streams.count + 1 && lastStatus(daemon).contains("checkpoint ok at")
            }
            try #require(healthy, "no good checkpoint; status \(lastStatus(daemon)); stderr:\n\(daemon.stderr.suffix(3000))")

            // 2. The fault: STATUS says so with the reason, once the streak has started.
            try fault(daemon, state.path)
            let failing = waitUntil(10) { lastStatus(daemon).contains("checkpoint failing since") }
            try #require(failing, "STATUS never reported the failure: \(lastStatus(daemon)); stderr:\n\(daemon.stderr.suffix(3000))")
            #expect(lastStatus(daemon).contains(reason), "\(lastStatus(daemon))")
            let kept = try #require(FileManager.default.contents(atPath: checkpoint), "checkpoint.bin vanished")

            // Predictions go on, exactly as replay's, while every retry fails.
            for item in items[cut..<cut2] { try client.send(item.stream, try item.payload()) }
            received += try client.collect(count: cut2 - cut, settle: 0.1)
            let retried = waitUntil(10) {
                guard let range = lastStatus(daemon).range(of: #"\((\d+) attempts\)"#, options: .regularExpression) else { return false }
                return (Int(lastStatus(daemon)[range].dropFirst().prefix { $0.isNumber }) ?? 0) >= 4
            }
            #expect(retried, "fewer than 4 retries at a 0.2 s interval: \(lastStatus(daemon))")
            #expect(FileManager.default.contents(atPath: checkpoint) == kept, "the previous checkpoint changed during the failure")
            #expect((try? CheckpointCodec.decode(Array(kept))) != nil, "the kept checkpoint does not decode")
            #expect(!FileManager.default.fileExists(atPath: inside(daemon, state.path + "/checkpoint.tmp")), "temp file left behind")
            let log = daemon.stderr
            #expect(log.components(separatedBy: "checkpoint failing;").count - 1 == 1,
                    "expected exactly one error line for the streak:\n\(log.suffix(3000))")
            let errorLine = log.split(separator: "\n").first { $0.contains("checkpoint failing;") } ?? ""
            #expect(errorLine.contains(" error "), "not logged at error level: \(errorLine)")
            #expect(errorLine.contains(reason), "the error line does not name the cause: \(errorLine)")
            if journal != "off" {
                // The journal fails with the disk: said once, and in STATUS=, while predictions go on.
                #expect(waitUntil(5) { lastStatus(daemon).contains("journal failing since") }, "STATUS: \(lastStatus(daemon))")
                #expect(log.components(separatedBy: "journal failing;").count - 1 == 1, "expected one journal error line:\n\(log.suffix(3000))")
                #expect(lastStatus(daemon).contains(reason), "\(lastStatus(daemon))")
            }

            // 3. Repair: one recovery notice, STATUS ok again, a fresh checkpoint holding the later observations.
            try repair(daemon, state.path)
            let recovered = waitUntil(10) { lastStatus(daemon).contains("checkpoint ok at") && daemon.stderr.contains("checkpoint recovered after") }
            #expect(recovered, "no recovery: \(lastStatus(daemon)); stderr:\n\(daemon.stderr.suffix(3000))")
            #expect(daemon.stderr.components(separatedBy: "checkpoint recovered after").count - 1 == 1)
            if journal != "off" {
                #expect(waitUntil(5) { daemon.stderr.contains("journal recovered after") && !lastStatus(daemon).contains("journal failing") },
                        "journal did not recover: \(lastStatus(daemon))")
            }
            #expect(FileManager.default.contents(atPath: checkpoint) != kept, "no new checkpoint after the repair")

            for item in items[cut2...] { try client.send(item.stream, try item.payload()) }
            received += try client.collect(count: items.count - cut2, settle: 0.1)
            Oracle.compare(received: received, expected: expected,
                           encodings: Dictionary(uniqueKeysWithValues: streams.map { ($0.0, $0.2) }))
            #expect(daemon.stop()?.status == 0, "stderr:\n\(daemon.stderr.suffix(2000))")
        }

        @Test("state directory full (tiny tmpfs): keeps predicting, one error, STATUS, retries, old checkpoint intact, recovers",
              .enabled(if: canRun, "needs root, unshare and nsenter, and mount rights"))
        func diskFull() throws {
            // A 512 KiB tmpfs on the state directory, in the daemon's own mount namespace; the test fills it through
            // /proc/PID/root and frees it again.
            let script = #"state=$1; shift; mount -t tmpfs -o size=512k,mode=0700 tmpfs "$state" && exec "$@""#
            var filler = ""
            try Self.scenario(label: "diskfull", launcherScript: script, reason: "No space left on device",
                              fault: { daemon, state in
                                  filler = Self.inside(daemon, state + "/filler")
                                  let bytes = try Self.fill(filler)
                                  #expect(bytes > 0 && bytes <= 512 * 1024, "filled \(bytes) bytes")
                              },
                              repair: { _, _ in try FileManager.default.removeItem(atPath: filler) })
        }

        @Test("state directory turns read-only (bind mount remounted ro): keeps predicting, one error, STATUS, recovers",
              .enabled(if: canRun, "needs root, unshare and nsenter, and mount rights"))
        func readOnly() throws {
            // The state directory bind-mounted onto itself in the daemon's namespace; nsenter flips it ro and back.
            let script = #"state=$1; shift; mount --bind "$state" "$state" && exec "$@""#
            func remount(_ daemon: DaemonProcess, _ state: String, _ mode: String) throws {
                let status = try Self.run(Self.nsenter, ["-t", "\(daemon.pid)", "-m", "mount", "-o", "remount,bind,\(mode)", state])
                try #require(status == 0, "nsenter … mount -o remount,bind,\(mode) failed (\(status))")
            }
            // Journal off: a file open for writing makes `remount,ro` fail with EBUSY (only the kernel itself can turn
            // a file system with open journal segments read-only, which a test cannot provoke).
            try Self.scenario(label: "readonly", launcherScript: script, reason: "Read-only file system", journal: "off",
                              fault: { try remount($0, $1, "ro") }, repair: { try remount($0, $1, "rw") })
        }
    }
}
