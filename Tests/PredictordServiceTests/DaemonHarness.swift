import Foundation
import PredictorCore
import PredictorWire
import PredictordTestSupport
import Synchronization
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

// Harness for the end-to-end tests of the real daemon: real `predictord run` processes with a temporary
// configuration, real ZeroMQ sockets on 127.0.0.1, a real AF_UNIX datagram socket as NOTIFY_SOCKET, and the real
// `predictord replay` as the oracle. Every wait is bounded; every spawned process is killed when its owner goes.

/// Failures of the harness itself (a daemon that does not start, a socket that does not connect, …).
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
@discardableResult
func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(20_000)
    }
}

// MARK: - Binary, paths, ports

enum Harness {
    /// The `predictord` executable built next to the test bundle.
    static var binary: URL { BuiltExecutable.predictord }

    /// This test directory (for the python client).
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// A free TCP port on 127.0.0.1: bind port 0, read the port, close. (Racy in principle; the daemon start
    /// retries with fresh ports when a bind fails.)
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError("bind 127.0.0.1:0: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw HarnessError("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a plain TCP connect to 127.0.0.1:`port` succeeds right now (no retry): something listens there.
    static func tcpConnects(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A fresh temporary directory; the caller removes it.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `executable` (default `predictord`) with `arguments` to completion (bounded), output through files.
    static func runTool(_ arguments: [String], executable: URL = binary, in directory: URL, timeout: Double = 30,
                        environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let out = directory.appendingPathComponent("tool-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = cleanEnvironment().merging(extra) { $1 }
        process.standardInput = FileHandle.nullDevice
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        defer { try? outHandle.close(); try? errHandle.close() }
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        if !waitUntil(timeout, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HarnessError("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return (process.terminationStatus, try Data(contentsOf: out), String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// The test runner's environment without anything that would change how predictord behaves (systemd variables,
    /// PREDICTORD_* overrides).
    static func cleanEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("PREDICTORD_") && !["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "INVOCATION_ID",
                                                "JOURNAL_STREAM", "STATE_DIRECTORY", "LISTEN_FDS", "LISTEN_PID"].contains(key)
        }
    }
}

// MARK: - Configuration

/// The daemon's configuration for a test: every model kind (as in Config/predictord.yaml) plus a `probe/` model
/// for slow-joiner probes, routed by prefix with **no catch-all**, free loopback ports, a temporary state directory.
struct TestDaemonConfig {
    var observationsPort: Int
    var predictionsPort: Int
    var stateDirectory: String
    var statsIntervalSeconds: Double = 0.5
    var checkpointIntervalSeconds: Double = 0
    var logLevel = "info"
    var sendHighWaterMark = 1_000_000
    var slowSubscriber = "count"
    /// Host the observation socket binds (clients still connect to 127.0.0.1).
    var observationsBindHost = "127.0.0.1"
    /// Extra YAML lines (4-space indented) under sockets.observations, sockets.predictions, and limits (2-space).
    var observationsExtra = ""
    var predictionsExtra = ""
    var limitsExtra = ""

    var observationsEndpoint: String { "tcp://127.0.0.1:\(observationsPort)" }
    var predictionsEndpoint: String { "tcp://127.0.0.1:\(predictionsPort)" }

    /// The models only (shared by the daemon's file and replay's).
    static let models = """
        models: [series, pairs, kernel, weather, weather-learn, weather-dual, probe]
        model:
          series:
            kind: rls
            match: "series/"
            lags: 4
            bias: true
            lambda: 0.999
            delta: 0.000001
          pairs:
            kind: rls
            match: "pairs/"
            dimension: 2
            lambda: 1
            delta: 0.000001
          kernel:
            kind: softmax
            match: "kernel/"
            lags: 2
            bias: false
            beta: 1.0
            window: 64
            learn: true          # β tuned across streams: the daemon must still equal replay, across restarts
            learn_refresh: 4
          weather:
            kind: forward
            match: "weather/"
            states: 2
            symbols: 3
            transition: [0.9, 0.1, 0.2, 0.8]
            emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6]
            initial: [0.5, 0.5]
            values: [0, 1, 2]
          weather-learn:         # the same HMM learned across its streams by online EM (daemon equals replay still)
            { kind: forward, match: "weather/learn-", states: 2, symbols: 3, transition: [0.9, 0.1, 0.2, 0.8],
              emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6], learn: true, learn_segment: 16, learn_refresh: 1 }
          weather-dual:
            kind: dual
            match: "weather-dual/"
            window: 16
            states: 2
            symbols: 3
            transition: [0.9, 0.1, 0.2, 0.8]
            emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6]
            initial: [0.5, 0.5]
            learn: true
            learn_segment: 16
            learn_refresh: 2
          probe:
            kind: rls
            match: "probe/"
            lags: 1
            bias: true

        """

    var yaml: String {
        """
        sockets:
          observations:
            bind: ["tcp://\(observationsBindHost):\(observationsPort)"]
            subscribe: [""]
            receive_hwm: 1000000
        \(observationsExtra)
          predictions:
            bind: ["\(predictionsEndpoint)"]
            send_hwm: \(sendHighWaterMark)
            slow_subscriber: \(slowSubscriber)
        \(predictionsExtra)
        limits:
          max_contexts: 100000
          idle_ttl_seconds: 0
          max_message_bytes: 65536
        \(limitsExtra)
        state:
          directory: "\(stateDirectory)"
          checkpoint_interval_seconds: \(checkpointIntervalSeconds)
        logging:
          level: \(logLevel)
          stats_interval_seconds: \(statsIntervalSeconds)

        """ + Self.models
    }
}

// MARK: - NOTIFY_SOCKET

/// A bound AF_UNIX datagram socket standing in for systemd's notification socket; a background thread records every
/// datagram with the time it arrived. (Like Tests/SystemdTests/UnixDatagramListener.swift, plus the recorder.)
final class NotifyListener: Sendable {
    struct Datagram: Sendable {
        var time: Date
        var text: String
        var lines: [Substring] { text.split(separator: "\n") }
    }

    /// State shared with the reader thread (which owns and finally closes the descriptor).
    private final class Shared: Sendable {
        let fd: Int32
        let path: String
        let received = Mutex<[Datagram]>([])
        let stop = Atomic<Bool>(false)
        init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    }

    let path: String
    private let shared: Shared

    init() throws {
        path = "/tmp/predictord-e2e-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket(AF_UNIX): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes.prefix(raw.count - 1)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { close(fd); throw HarnessError("bind \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let shared = Shared(fd: fd, path: path)
        self.shared = shared
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !shared.stop.load(ordering: .relaxed) {
                let count = buffer.withUnsafeMutableBytes { recv(shared.fd, $0.baseAddress, $0.count, 0) }
                if count >= 0 {
                    let datagram = Datagram(time: Date(), text: String(decoding: buffer.prefix(count), as: UTF8.self))
                    shared.received.withLock { $0.append(datagram) }
                }
            }
            close(shared.fd)
            unlink(shared.path)
        }
        thread.name = "notify-listener"
        thread.start()
    }

    deinit {
        // Remove the path now (the test process may exit before the reader thread gets to it); the thread then
        // stops within 50 ms and closes the descriptor.
        unlink(path)
        shared.stop.store(true, ordering: .relaxed)
    }

    /// Every datagram so far.
    var datagrams: [Datagram] { shared.received.withLock { $0 } }

    /// Every `KEY=value` line so far, in order.
    var lines: [String] { datagrams.flatMap { $0.lines.map(String.init) } }

    /// The first datagram line satisfying `predicate` (waiting up to `seconds`), with its arrival time.
    func first(within seconds: Double, where predicate: (String) -> Bool) -> (line: String, time: Date)? {
        var found: (String, Date)?
        waitUntil(seconds) {
            for d in datagrams { for line in d.lines where predicate(String(line)) { found = (String(line), d.time); return true } }
            return false
        }
        return found
    }

    /// Count of lines equal to `line` so far.
    func count(_ line: String) -> Int { lines.filter { $0 == line }.count }
}

// MARK: - The daemon process

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

// MARK: - Client sockets

/// The client side: an XPUB connected to the daemon's observation endpoint (sends only after the daemon's
/// subscription arrived, as `predictord publish` does) and a SUB on its prediction endpoint, synchronised past the
/// slow-joiner window with probe observations on `probe/…` (whose predictions `collect` ignores).
final class DaemonClient {
    static let probePrefix = "probe/"

    let context: ZMQContext
    let publisher: ZMQSocket
    let subscriber: ZMQSocket

    /// `configure` runs on (publisher, subscriber) before they connect, e.g. to make them CURVE clients.
    init(observations: String, predictions: String, probeStream: String = "probe/sync",
         configure: (ZMQSocket, ZMQSocket) throws -> Void = { _, _ in }) throws {
        context = try ZMQContext()
        publisher = try ZMQSocket(context: context, type: .xpub)
        subscriber = try ZMQSocket(context: context, type: .sub)
        try publisher.setSendHighWaterMark(0)
        try subscriber.setReceiveHighWaterMark(0)
        try subscriber.subscribe(prefix: "")
        try configure(publisher, subscriber)
        try subscriber.connect(predictions)
        try publisher.connect(observations)
        // XPUB delivers the daemon's subscription once its SUB is connected: from then on nothing is lost inbound.
        try publisher.setReceiveTimeout(.seconds(10))
        guard let subscription = try publisher.receive(), subscription.first?.first == 1 else {
            throw HarnessError("the daemon's SUB did not subscribe at \(observations) within 10 s")
        }
        try synchronise(probeStream: probeStream)
    }

    /// Sends probes (`{"y":1}` without seq) until a probe prediction comes back, so the SUB is subscribed too.
    func synchronise(probeStream: String) throws {
        try subscriber.setReceiveTimeout(.milliseconds(50))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            try publisher.send(topic: probeStream, payload: Array(#"{"y":1}"#.utf8))
            while let frames = try subscriber.receive() {
                if let topic = frames.first, String(decoding: topic, as: UTF8.self).hasPrefix(Self.probePrefix) { return }
            }
        }
        throw HarnessError("no probe prediction within 10 s: the prediction SUB never got past the slow-joiner window")
    }

    /// Sends `[topic][payload]`.
    func send(_ topic: String, _ payload: [UInt8]) throws {
        guard try publisher.send(topic: topic, payload: payload) else { throw HarnessError("send to \(topic) did not queue") }
    }

    /// Sends a message of any number of frames.
    func send(frames: [[UInt8]]) throws {
        guard try publisher.send(frames: frames) else { throw HarnessError("multipart send did not queue") }
    }

    /// Receives predictions (ignoring `probe/` streams) until `count` have arrived or `seconds` pass, then keeps
    /// listening `settle` seconds more so that extra predictions are noticed too.
    func collect(count: Int, within seconds: Double = 20, settle: Double = 0.3) throws -> [ReceivedPrediction] {
        var received: [ReceivedPrediction] = []
        let deadline = Date().addingTimeInterval(seconds)
        try subscriber.setReceiveTimeout(.milliseconds(50))
        var settleDeadline: Date?
        while true {
            let now = Date()
            if let settleDeadline, now >= settleDeadline { break }
            if settleDeadline == nil && now >= deadline { break }
            guard let frames = try subscriber.receive() else { continue }
            guard frames.count == 2 else {
                Issue.record("a prediction with \(frames.count) frames")
                continue
            }
            let topic = String(decoding: frames[0], as: UTF8.self)
            if topic.hasPrefix(Self.probePrefix) { continue }
            received.append(ReceivedPrediction(stream: topic, payload: frames[1]))
            if received.count >= count && settleDeadline == nil { settleDeadline = Date().addingTimeInterval(settle) }
        }
        return received
    }

    func close() {
        publisher.close()
        subscriber.close()
    }

    deinit { close() }
}

struct ReceivedPrediction {
    var stream: String
    var payload: [UInt8]
}

// MARK: - Workloads

/// One observation of the workload: its stream, the message, and the encoding it is sent in.
struct WorkItem {
    var stream: String
    var message: InboundMessage
    var encoding: WireEncoding

    /// The replay input line: wire JSON with a `"stream"` field.
    func replayLine() throws -> [UInt8] {
        var m = message
        m.stream = stream
        m.encoding = .json
        return try WireEncoder.observation(m, encoding: .json)
    }

    /// The payload sent to the daemon, in the stream's encoding.
    func payload() throws -> [UInt8] {
        var m = message
        m.stream = nil
        m.encoding = encoding
        return try WireEncoder.observation(m, encoding: encoding)
    }
}

/// Builds per-stream observation sequences of every model kind and interleaves them at random (order within a
/// stream kept).
struct Workload {
    enum Kind { case series, pairs, kernel, weather, dual }

    /// One stream's generator state.
    struct Stream {
        var name: String
        var kind: Kind
        var encoding: WireEncoding
        var items: [WorkItem] = []
    }

    static func make(seed: UInt64, perStream: Int, streams: [(String, Kind, WireEncoding)]) -> [WorkItem] {
        var rng = SplitMix64(seed: seed)
        var all: [[WorkItem]] = []
        for (name, kind, encoding) in streams {
            var items: [WorkItem] = []
            var seq: UInt64 = 0
            var history: [Double] = [0, 0]
            var hidden = 0
            func add(_ body: InboundMessage.Body, seq: UInt64?, ts: Double? = nil) {
                items.append(WorkItem(stream: name, message: InboundMessage(body: body, seq: seq, ts: ts, encoding: encoding), encoding: encoding))
            }
            for t in 0..<perStream {
                seq += UInt64.random(in: 1...2, using: &rng) // occasional gaps
                let ts: Double? = t % 3 == 0 ? 1_700_000_000 + Double(t) * 0.001 + Double.random(in: 0..<1e-4, using: &rng) : nil
                if t > 0 && t % 97 == 0 {
                    // A reset: with seq (continues numbering) or without (clears it).
                    if t % 2 == 0 { add(.reset, seq: seq, ts: ts) } else { add(.reset, seq: nil); seq = 0 }
                    continue
                }
                switch kind {
                case .series, .kernel:
                    let noise = Double.random(in: -1...1, using: &rng)
                    let y = 0.6 * history[0] - 0.2 * history[1] + 0.5 + noise
                    history = [y, history[0]]
                    add(.observation(.series([y])), seq: seq, ts: ts)
                    if t % 13 == 5 {
                        let x: [Double] = kind == .series
                            ? [history[0], history[1], Double.random(in: -1...1, using: &rng), 0.25, 1]
                            : [history[0], history[1]]
                        add(.query(x: x), seq: t % 2 == 0 ? seq : nil)
                    }
                case .pairs:
                    let u = Double.random(in: -3...3, using: &rng)
                    let y = 2 + 3 * u + 0.1 * Double.random(in: -1...1, using: &rng)
                    add(.observation(.labelled(x: [1, u], y: [y])), seq: seq, ts: ts)
                    if t % 10 == 3 { add(.query(x: [1, Double.random(in: -3...3, using: &rng)]), seq: nil, ts: ts) }
                case .weather, .dual:
                    let a = [[0.9, 0.1], [0.2, 0.8]], c = [[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]
                    hidden = Double.random(in: 0..<1, using: &rng) < a[hidden][0] ? 0 : 1
                    let r = Double.random(in: 0..<1, using: &rng)
                    let z = r < c[hidden][0] ? 0 : (r < c[hidden][0] + c[hidden][1] ? 1 : 2)
                    add(.observation(.symbol(z)), seq: seq, ts: ts)
                }
            }
            all.append(items)
        }
        // Interleave: repeatedly pick a random stream that still has items.
        var cursors = [Int](repeating: 0, count: all.count)
        var out: [WorkItem] = []
        var remaining = all.map(\.count).reduce(0, +)
        out.reserveCapacity(remaining)
        while remaining > 0 {
            var i = Int.random(in: 0..<all.count, using: &rng)
            while cursors[i] >= all[i].count { i = (i + 1) % all.count }
            out.append(all[i][cursors[i]])
            cursors[i] += 1
            remaining -= 1
        }
        return out
    }
}

// MARK: - Replay oracle and comparison

/// One line of `predictord replay` output, with its stream and decoded values.
struct ReplayedPrediction {
    var stream: String
    var line: [UInt8]
    var decoded: OutboundPrediction
}

enum Oracle {
    /// Runs `predictord replay` (the daemon's models) over `items`; returns its predictions in order.
    static func replay(_ items: [WorkItem], directory: URL) throws -> [ReplayedPrediction] {
        let input = directory.appendingPathComponent("replay-\(UUID().uuidString.prefix(8)).jsonl")
        var text: [UInt8] = []
        for item in items {
            text += try item.replayLine()
            text.append(UInt8(ascii: "\n"))
        }
        try Data(text).write(to: input)
        let config = directory.appendingPathComponent("replay-models.yaml")
        try TestDaemonConfig.models.write(to: config, atomically: true, encoding: .utf8)
        let result = try Harness.runTool(["replay", "--config", config.path, input.path], in: directory)
        guard result.status == 0 else { throw HarnessError("replay failed (\(result.status)): \(result.stderr)") }
        return try Array(result.stdout).split(separator: UInt8(ascii: "\n")).map { raw in
            let line = Array(raw)
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let stream = object["stream"] as? String else {
                throw HarnessError("replay line without stream: \(String(decoding: line, as: UTF8.self))")
            }
            return ReplayedPrediction(stream: stream, line: line, decoded: try WireDecoder.prediction(line, stream: stream))
        }
    }

    /// Same bits, or both NaN (JSON cannot carry NaN payloads: it writes null or omits the field).
    static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
    static func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { same($0, $1) } }
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (x?, y?): same(x, y)
        default: false
        }
    }

    /// The first difference between a received prediction and replay's, or nil when they agree exactly: JSON
    /// byte for byte (and field by field, bit for bit); binary decoded and compared bit for bit with replay's values.
    static func difference(_ got: ReceivedPrediction, _ want: ReplayedPrediction) -> String? {
        let decoded: OutboundPrediction
        do { decoded = try WireDecoder.prediction(got.payload, stream: got.stream) } catch {
            return "undecodable prediction: \(error)"
        }
        let w = want.decoded, g = decoded, gp = g.prediction, wp = w.prediction
        var problems: [String] = []
        if g.seq != w.seq { problems.append("seq \(String(describing: g.seq)) vs \(String(describing: w.seq))") }
        if !same(g.ts, w.ts) { problems.append("ts \(String(describing: g.ts)) vs \(String(describing: w.ts))") }
        if gp.kind != wp.kind { problems.append("kind \(gp.kind) vs \(wp.kind)") }
        if gp.count != wp.count { problems.append("n \(gp.count) vs \(wp.count)") }
        if !same(gp.mean, wp.mean) { problems.append("mean \(gp.mean) vs \(wp.mean)") }
        if !same(gp.probabilities, wp.probabilities) { problems.append("probs \(gp.probabilities) vs \(wp.probabilities)") }
        if !same(gp.surprise, wp.surprise) { problems.append("surprise \(gp.surprise) vs \(wp.surprise)") }
        if gp.kind == .real {
            if !same(gp.variance, wp.variance) { problems.append("var \(gp.variance) vs \(wp.variance)") }
            if !same(gp.error, wp.error) { problems.append("error \(gp.error) vs \(wp.error)") }
        }
        if got.payload.first == UInt8(ascii: "{") {
            if g.model != w.model { problems.append("model \(g.model) vs \(w.model)") }
            if gp.kind == .symbol, !same(gp.variance, wp.variance) { problems.append("var \(gp.variance) vs \(wp.variance)") }
            if got.payload != want.line {
                problems.append("JSON bytes differ:\n  daemon: \(String(decoding: got.payload, as: UTF8.self))\n  replay: \(String(decoding: want.line, as: UTF8.self))")
            }
        } else if g.model != "" {
            problems.append("binary prediction decoded with model '\(g.model)'")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Checks that `received` equals `expected` stream by stream: same count, same order, every value equal.
    /// `encodings` says which encoding each stream was sent in (its predictions must come back in it).
    static func compare(received: [ReceivedPrediction], expected: [ReplayedPrediction],
                        encodings: [String: WireEncoding], sourceLocation: SourceLocation = #_sourceLocation) {
        let got = Dictionary(grouping: received, by: \.stream)
        let want = Dictionary(grouping: expected, by: \.stream)
        #expect(received.count == expected.count, "daemon published \(received.count) predictions, replay \(expected.count)",
                sourceLocation: sourceLocation)
        #expect(Set(got.keys) == Set(want.keys), "streams differ: daemon \(got.keys.sorted()), replay \(want.keys.sorted())",
                sourceLocation: sourceLocation)
        var reported = 0
        for stream in want.keys.sorted() {
            let g = got[stream] ?? [], w = want[stream]!
            if g.count != w.count {
                Issue.record("stream \(stream): daemon published \(g.count) predictions, replay \(w.count)", sourceLocation: sourceLocation)
            }
            for (index, (a, b)) in zip(g, w).enumerated() {
                if let encoding = encodings[stream] {
                    let first: UInt8 = encoding == .json ? UInt8(ascii: "{") : 1
                    if a.payload.first != first {
                        Issue.record("stream \(stream) #\(index): prediction not in the observation's encoding (\(encoding))", sourceLocation: sourceLocation)
                    }
                }
                if let problem = difference(a, b) {
                    reported += 1
                    if reported <= 8 { Issue.record("stream \(stream) prediction #\(index): \(problem)", sourceLocation: sourceLocation) }
                }
            }
        }
        if reported > 8 { Issue.record("… \(reported) mismatching predictions in all", sourceLocation: sourceLocation) }
    }
}

/// Parses the drop reasons of the last stderr stats line: `… stats: … N dropped (reason=count …)`.
func lastStatsDrops(in stderr: String) -> (total: Int, reasons: [String: Int])? {
    guard let line = stderr.split(separator: "\n").last(where: { $0.contains(" stats: ") }) else { return nil }
    guard let dropped = line.range(of: #"(\d+) dropped"#, options: .regularExpression) else { return nil }
    let total = Int(line[dropped].split(separator: " ")[0]) ?? -1
    var reasons: [String: Int] = [:]
    let rest = line[dropped.upperBound...]
    if rest.hasPrefix(" ("), let close = rest.firstIndex(of: ")") {
        for pair in rest[rest.index(rest.startIndex, offsetBy: 2)..<close].split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { reasons[String(parts[0])] = n }
        }
    }
    return (total, reasons)
}
