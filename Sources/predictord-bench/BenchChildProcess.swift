import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started by `predictord-bench e2e` or `soak` (the daemon `predictord run`, or the relay
/// `predictord-bench relay`), with its output in a log file.
final class BenchChildProcess {
    let process = Process()
    let name: String
    let logURL: URL

    /// Starts `executable` with `arguments`; stdout and stderr go to `logURL`.
    /// `wrapper` (e.g. "valgrind --tool=callgrind") runs the child under another program, via /usr/bin/env.
    init(name: String, executable: URL, arguments: [String], wrapper: String? = nil, logURL: URL) throws {
        self.name = name
        self.logURL = logURL
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        if let wrapper, !wrapper.isEmpty {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = wrapper.split(separator: " ").map(String.init) + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// The child's log so far (for error messages).
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits up to `timeout` s (SIGKILL after); while waiting, keeps the last VmHWM seen in /proc.
    /// Returns the exit status and the last VmHWM (bytes) observed, which covers the final checkpoint.
    @discardableResult
    func stop(timeout: Double = 60) -> (status: Int32?, lastHWM: Int?) {
        var lastHWM = BenchProcStatus.read(pid: pid)?.hwm
        if process.isRunning { kill(pid, SIGTERM) }
        let deadline = BenchClock.now() + timeout
        while process.isRunning && BenchClock.now() < deadline {
            if let hwm = BenchProcStatus.read(pid: pid)?.hwm { lastHWM = hwm }
            usleep(2_000)
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return (nil, lastHWM)
        }
        process.waitUntilExit()
        return (process.terminationStatus, lastHWM)
    }
}

/// VmRSS and VmHWM of a process, from /proc/<pid>/status, in bytes.
struct BenchProcStatus: Sendable {
    var rss: Int
    var hwm: Int

    static func read(pid: Int32) -> BenchProcStatus? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var rss: Int?, hwm: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = kilobytes(line) }
            if line.hasPrefix("VmHWM:") { hwm = kilobytes(line) }
        }
        guard let rss, let hwm else { return nil }
        return BenchProcStatus(rss: rss, hwm: hwm)
    }

    private static func kilobytes(_ line: Substring) -> Int? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2, let kb = Int(fields[1]) else { return nil }
        return kb * 1024
    }
}

/// Monotonic time in seconds (CLOCK_MONOTONIC), the timestamp `predictord-bench e2e` sends and measures latency against.
enum BenchClock {
    @inline(__always) static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Sleeps until monotonic time `time` (seconds); returns at once if it has passed.
    static func sleep(until time: Double) {
        guard time > now() else { return }
        var t = timespec(tv_sec: Int(time), tv_nsec: Int((time - time.rounded(.down)) * 1e9))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nil) == EINTR {}
    }
}

/// A free loopback TCP port (bound and released at once; a small race with other processes is possible).
func benchFreePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchE2EError("socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw BenchE2EError("bind(127.0.0.1:0) failed: errno \(errno)") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw BenchE2EError("getsockname failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A failure of the bench harness itself (child did not start, nothing arrived, …).
struct BenchE2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A joinable POSIX thread running a Sendable closure.
final class BenchThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private var thread = pthread_t()

    init(_ body: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            throw BenchE2EError("pthread_create failed: \(rc)")
        }
    }

    func join() { pthread_join(thread, nil) }
}

/// A value written by one thread and read by another after `join` (the join orders the accesses).
final class BenchSlot<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// The current load average line (`/proc/loadavg`), trimmed.
func benchLoadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "unavailable")
        .trimmingCharacters(in: .whitespacesAndNewlines)
}
