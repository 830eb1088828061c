import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One `predictord run` process with its own NOTIFY_SOCKET listener; stderr goes to a file the test can read.
/// Killed (SIGKILL) when the object goes away if still running, so a failing test leaves nothing behind.
final class DaemonProcess {
    let config: TestDaemonConfig
    let configURL: URL
    let stderrURL: URL
    let notify: NotifyListener
    let process = Process()
    private let stderrHandle: FileHandle

    var pid: Int32 { process.processIdentifier }

    /// Starts the daemon; does not wait for READY=1 (see `waitReady`). A non-empty `launcher` (a program and its
    /// arguments, e.g. `unshare -m … sh -c '…; exec "$@"' sh`) runs the daemon's command line, which it must exec.
    init(config: TestDaemonConfig, directory: URL, name: String = "daemon", watchdogUSec: Int? = nil,
         launcher: [String] = []) throws {
        self.config = config
        configURL = directory.appendingPathComponent("\(name).yaml")
        try config.yaml.write(to: configURL, atomically: true, encoding: .utf8)
        stderrURL = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        stderrHandle = try FileHandle(forWritingTo: stderrURL)
        notify = try NotifyListener()
        var environment = Harness.cleanEnvironment()
        environment["NOTIFY_SOCKET"] = notify.path
        if let watchdogUSec { environment["WATCHDOG_USEC"] = String(watchdogUSec) }
        let command = ["run", "--config", configURL.path]
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Harness.binary.path] + command
        } else {
            process.executableURL = Harness.binary
            process.arguments = command
        }
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stderrHandle
        process.standardError = stderrHandle
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? stderrHandle.close()
    }

    /// Everything the daemon wrote to stderr (and stdout) so far.
    var stderr: String { String(decoding: (try? Data(contentsOf: stderrURL)) ?? Data(), as: UTF8.self) }

    /// Waits up to `seconds` for READY=1; throws (with the daemon's stderr) if it exits or times out first.
    @discardableResult
    func waitReady(within seconds: Double = 15) throws -> Date {
        var ready: Date?
        waitUntil(seconds) {
            ready = notify.datagrams.first { $0.lines.contains("READY=1") }?.time
            return ready != nil || !process.isRunning
        }
        if let ready { return ready }
        throw HarnessError(process.isRunning
            ? "no READY=1 within \(seconds) s; stderr:\n\(stderr)"
            : "daemon exited (status \(process.terminationStatus)) before READY=1; stderr:\n\(stderr)")
    }

    /// Waits up to `seconds` until stderr contains `text`.
    func waitForStderr(_ text: String, within seconds: Double) -> Bool {
        waitUntil(seconds) { stderr.contains(text) }
    }

    /// Sends `signal` and waits up to `seconds` for the exit; returns (reason, status), or nil on timeout.
    func stop(signal: Int32 = SIGTERM, within seconds: Double = 15) -> (reason: Process.TerminationReason, status: Int32)? {
        guard process.isRunning else { return (process.terminationReason, process.terminationStatus) }
        kill(process.processIdentifier, signal)
        guard waitUntil(seconds, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus)
    }

    /// Starts a daemon on fresh free ports (retrying when a port was taken in between) and waits for READY=1.
    static func start(stateDirectory: URL, directory: URL, name: String = "daemon", watchdogUSec: Int? = nil,
                      launcher: [String] = [],
                      configure: (inout TestDaemonConfig) -> Void = { _ in }) throws -> DaemonProcess {
        var lastError: Error?
        for attempt in 0..<3 {
            var config = TestDaemonConfig(
                observationsPort: try Harness.freePort(), predictionsPort: try Harness.freePort(),
                stateDirectory: stateDirectory.path)
            guard config.observationsPort != config.predictionsPort else { continue }
            configure(&config)
            let daemon = try DaemonProcess(config: config, directory: directory, name: "\(name)-\(attempt)",
                                           watchdogUSec: watchdogUSec, launcher: launcher)
            do {
                try daemon.waitReady()
                return daemon
            } catch {
                lastError = error
                let text = daemon.stderr
                // Only a lost port race is worth another attempt.
                guard text.contains("Address already in use") else { throw error }
            }
        }
        throw lastError ?? HarnessError("could not start the daemon")
    }
}
