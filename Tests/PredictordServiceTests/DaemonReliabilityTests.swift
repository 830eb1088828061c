import Foundation
import PredictordConfig
import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordState
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// The reliability defects of issue 12, each against a real daemon on real sockets and files.
    @Suite("reliability (issue 12)")
    struct Reliability {
        @Test("a second daemon on the same state directory refuses to start, naming the directory and the holder's PID")
        func secondDaemonOnOneStateDirectoryIsRefused() throws {
            let directory = try Harness.temporaryDirectory("lock")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            let first = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "first")
            let config = TestDaemonConfig(
                observationsPort: try Harness.freePort(), predictionsPort: try Harness.freePort(), stateDirectory: state.path)
            let second = try DaemonProcess(config: config, directory: directory, name: "second")
            #expect(waitUntil(15) { !second.process.isRunning }, "the second daemon is still running; stderr:\n\(second.stderr)")
            second.process.waitUntilExit()
            #expect(second.process.terminationStatus != 0)
            let text = second.stderr
            #expect(text.contains("state directory \(state.path) is in use by another predictord (PID \(first.pid)"), "stderr:\n\(text)")
            #expect(!second.notify.lines.contains("READY=1"))
            #expect(first.process.isRunning)
            #expect(first.stop()?.status == 0)
            // Once the first is gone, the directory is free again (also after a kill -9: the kernel drops the lock).
            let third = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "third")
            _ = third.stop(signal: SIGKILL)
            let fourth = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "fourth")
            #expect(fourth.stop()?.status == 0)
        }
    }
}

extension DaemonTests.Reliability {
    @Test("y = 1e308 and x = 1e300 are dropped as non_finite_state and reset only their stream, which then predicts finitely again")
    func overflowResetsOnlyItsStream() throws {
        let directory = try Harness.temporaryDirectory("overflow")
        defer { try? FileManager.default.removeItem(at: directory) }
        func item(_ stream: String, _ seq: UInt64, _ body: InboundMessage.Body) -> WorkItem {
            WorkItem(stream: stream, message: InboundMessage(body: body, seq: seq, encoding: .json), encoding: .json)
        }
        var clean: [WorkItem] = []
        var all: [WorkItem] = []
        for t in 1...60 {
            let y = sin(Double(t) * 0.7) + 0.1 * Double(t % 5)
            for stream in ["series/o", "series/other"] { all.append(item(stream, UInt64(t), .observation(.series([y])))) }
            clean.append(item("series/other", UInt64(t), .observation(.series([y]))))
            all.append(item("pairs/o", UInt64(t), .observation(.labelled(x: [1, y], y: [2 + 3 * y]))))
            clean.append(item("pairs/other", UInt64(t), .observation(.labelled(x: [1, y], y: [2 + 3 * y]))))
            all.append(item("pairs/other", UInt64(t), .observation(.labelled(x: [1, y], y: [2 + 3 * y]))))
            if t == 30 {
                all.append(item("series/o", 31, .observation(.series([1e308]))))
                // Without seq: this one may be absorbed (its own prediction still finite) and caught at the next step.
                var pair = item("pairs/o", 0, .observation(.labelled(x: [1, 1e300], y: [1e308])))
                pair.message.seq = nil
                all.append(pair)
            }
        }
        // The bombs take seq 31, refused, so the next observation (seq 31) is accepted: the last accepted seq is kept.
        let expected = try Oracle.replay(all, directory: directory)
        let expectedClean = try Oracle.replay(clean, directory: directory)
        let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory)
        let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
        for item in all { try client.send(item.stream, try item.payload()) }
        let received = try client.collect(count: expected.count, within: 10, settle: 0.5)
        Oracle.compare(received: received, expected: expected, encodings: [:])
        // The bombed streams predict finitely again after their reset; the others equal a run without the bombs.
        for stream in ["series/o", "pairs/o"] {
            let after = received.filter { $0.stream == stream }.suffix(20)
            #expect(after.count == 20)
            for p in after {
                let decoded = try WireDecoder.prediction(p.payload, stream: stream)
                let finite = decoded.prediction.mean.allSatisfy { $0.isFinite }
                #expect(finite, "\(stream): \(String(decoding: p.payload, as: UTF8.self))")
            }
        }
        for stream in ["series/other", "pairs/other"] {
            let got = received.filter { $0.stream == stream }.map(\.payload)
            let want = expectedClean.filter { $0.stream == stream }.map(\.line)
            #expect(got == want, "\(stream) differs from a run without the bombs")
        }
        var stats: (total: Int, reasons: [String: Int])?
        waitUntil(5) {
            stats = lastStatsDrops(in: daemon.stderr)
            return (stats?.reasons["non_finite_state"] ?? 0) >= 2
        }
        #expect(stats?.reasons.keys.sorted() == ["non_finite_state"] && stats?.total == all.count - expected.count,
                "\(String(describing: stats))")
        let lines = daemon.stderr.split(separator: "\n").filter { $0.contains("reason=non_finite_state") }
        #expect(lines.contains { $0.contains("series/o") } && lines.contains { $0.contains("pairs/o") }, "\(lines)")
        #expect(daemon.stop()?.status == 0)
    }
}

extension DaemonTests.Reliability {
    @Test("a checkpoint written under lags 4 is not continued under lags 8: that model's streams start afresh, logged as model_changed")
    func changedModelStartsAfresh() throws {
        let directory = try Harness.temporaryDirectory("changed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        let first = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "first")
        var client = try DaemonClient(observations: first.config.observationsEndpoint, predictions: first.config.predictionsEndpoint)
        for t in 1...30 {
            try client.send("series/c", Array(#"{"seq":\#(t),"y":\#(Double(t % 7))}"#.utf8))
            try client.send("pairs/c", Array(#"{"seq":\#(t),"x":[1,\#(t)],"y":\#(2 * t)}"#.utf8))
        }
        #expect(try client.collect(count: 60).count == 60)
        client.close()
        #expect(first.stop()?.status == 0)

        let second = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "second") {
            $0.models = try! ConfigurationLoader.parse(
                yaml: TestDaemonConfig.modelsYAML.replacingOccurrences(of: "lags: 4", with: "lags: 8"), source: "lags 8").models
        }
        #expect(second.stderr.contains("1 context(s) of model 'series' skipped (model_changed"), "stderr:\n\(second.stderr)")
        client = try DaemonClient(observations: second.config.observationsEndpoint, predictions: second.config.predictionsEndpoint)
        try client.send("series/c", Array(#"{"seq":31,"y":1}"#.utf8))
        try client.send("pairs/c", Array(#"{"seq":31,"x":[1,31],"y":62}"#.utf8))
        let after = try client.collect(count: 2)
        let n = Dictionary(uniqueKeysWithValues: try after.map { ($0.stream, try WireDecoder.prediction($0.payload, stream: $0.stream).prediction.count) })
        #expect(n["series/c"] == 1, "series/c must start afresh under lags 8: \(n)")
        #expect(n["pairs/c"] == 31, "pairs/c (unchanged model) must continue: \(n)")
        #expect(second.stop()?.status == 0)
    }
}

extension DaemonTests.Reliability {
    @Test("SIGHUP during start-up does not kill the daemon: the reload is deferred until READY and then applied")
    func hangupBeforeReadyIsDeferred() throws {
        let directory = try Harness.temporaryDirectory("hup")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        try Self.writeBigCheckpoint(in: state, contexts: 150_000)
        let config = TestDaemonConfig(
            observationsPort: try Harness.freePort(), predictionsPort: try Harness.freePort(), stateDirectory: state.path)
        let daemon = try DaemonProcess(config: config, directory: directory)
        // From the first start-up log line (configuration loaded) until READY, SIGHUP every 5 ms.
        #expect(waitUntil(15) { daemon.stderr.contains("starting: restoring state") || !daemon.process.isRunning })
        var sent = 0
        while daemon.process.isRunning, !daemon.notify.lines.contains("READY=1") {
            kill(daemon.pid, SIGHUP)
            sent += 1
            usleep(5_000)
        }
        #expect(daemon.process.isRunning, "killed by SIGHUP during start-up (\(sent) sent); stderr:\n\(daemon.stderr.suffix(2000))")
        try daemon.waitReady()
        #expect(sent > 0)
        #expect(daemon.stderr.contains("reload deferred until the daemon is ready"), "stderr:\n\(daemon.stderr.suffix(2000))")
        #expect(daemon.waitForStderr("configuration re-read (deferred from start-up)", within: 5), "stderr:\n\(daemon.stderr.suffix(2000))")
        #expect(daemon.stop()?.status == 0)
    }

    /// A valid checkpoint of `contexts` streams of a model the test daemon does not configure: slow to read, then skipped.
    static func writeBigCheckpoint(in state: URL, contexts: Int) throws {
        let model = ModelDefinition(name: "gone", match: "gone/", spec: .rls(try RLSParameters(
            layout: .autoregressive(lags: 1, bias: true), outputs: 1, lambda: 1, delta: 1e-3, priorMean: nil)))
        var engine = PredictionEngine(models: [model])
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for i in 0..<contexts {
            try engine.process(stream: "gone/\(i)", message: InboundMessage(body: .observation(.series([1])), encoding: .json), now: 0, into: &out)
        }
        try CheckpointStore(directory: state.path).write(engine, createdAt: 0)
    }

    @Test("WATCHDOG_USEC set: no false 'heartbeat is stale' right after READY, and WATCHDOG=1 is sent")
    func noFalseStaleHeartbeatAfterReady() throws {
        let directory = try Harness.temporaryDirectory("watchdog")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory,
                                             watchdogUSec: 1_000_000)
        #expect(daemon.notify.first(within: 3) { $0 == "WATCHDOG=1" } != nil)
        usleep(1_200_000)
        #expect(!daemon.stderr.contains("heartbeat is stale"), "stderr:\n\(daemon.stderr)")
        #expect(daemon.stop()?.status == 0)
    }

    @Test("a FIFO named checkpoint.bin does not hang the start: moved aside, logged, the daemon starts empty")
    func fifoCheckpointIsMovedAside() throws {
        let directory = try Harness.temporaryDirectory("fifo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        #expect(mkfifo(state.appendingPathComponent("checkpoint.bin").path, 0o600) == 0)
        let daemon = try DaemonProcess.start(stateDirectory: state, directory: directory)
        #expect(daemon.stderr.contains("checkpoint.bin is a FIFO, not a regular file"), "stderr:\n\(daemon.stderr)")
        let moved = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasPrefix("checkpoint.corrupt-") }
        #expect(moved.count == 1, "\(moved)")
        let started = Date()
        #expect(daemon.stop()?.status == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("checkpoint.bin").path))
    }
}

extension DaemonTests.Reliability {
    /// The daemon's resident set in KiB (VmRSS).
    static func rssKiB(_ pid: Int32, field: String = "VmRSS:") -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    @Test("a 32 MB subscription to the predictions PUB disconnects that peer instead of being held: RSS stays flat, others are served")
    func subscriptionBombIsRefused() throws {
        if let reason = DaemonTests.PythonClient.unavailable { Issue.record("skipped: \(reason)"); return }
        let directory = try Harness.temporaryDirectory("subbomb")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory)
        let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
        usleep(300_000)
        let before = Self.rssKiB(daemon.pid)
        // pyzmq crashes closing a socket that holds such a subscription: the attacker is a child process, killed.
        let attacker = Process()
        attacker.executableURL = URL(fileURLWithPath: DaemonTests.PythonClient.python!)
        attacker.arguments = ["-c", """
            import zmq, time, sys
            s = zmq.Context().socket(zmq.SUB)
            s.connect(sys.argv[1])
            s.setsockopt(zmq.SUBSCRIBE, b"x" * (32 << 20))
            print("subscribed", flush=True)
            time.sleep(60)
            """, daemon.config.predictionsEndpoint]
        attacker.standardOutput = FileHandle.nullDevice
        attacker.standardError = FileHandle.nullDevice
        try attacker.run()
        defer { if attacker.isRunning { kill(attacker.processIdentifier, SIGKILL); attacker.waitUntilExit() } }
        // The PUB reads subscriptions when it next sends: keep predictions flowing meanwhile.
        for t in 1...30 {
            try client.send("series/flow", Array(#"{"seq":\#(t),"y":1}"#.utf8))
            usleep(100_000)
        }
        let after = Self.rssKiB(daemon.pid)
        print("subscription bomb: daemon RSS \(before) KiB before, \(after) KiB 3 s after a 32 MiB subscription")
        #expect(after - before < 8 * 1024, "RSS grew from \(before) to \(after) KiB")
        #expect(daemon.process.isRunning)
        _ = try client.collect(count: 30, within: 2, settle: 0)
        try client.send("series/after", Array(#"{"seq":1,"y":2}"#.utf8))
        #expect(try client.collect(count: 1, within: 5, settle: 0).count == 1)
        #expect(daemon.stop()?.status == 0)
    }
}

extension DaemonTests.Reliability {
    @Test("a multipart message of 40 × 1 MiB frames is not buffered whole: its first frame over the cap disconnects the peer")
    func hugeMultipartIsNotBuffered() throws {
        let directory = try Harness.temporaryDirectory("multipart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory)
        let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
        usleep(300_000)
        let before = Self.rssKiB(daemon.pid, field: "VmHWM:")
        let frame = [UInt8](repeating: 0x61, count: 1 << 20)
        try client.send(frames: [Array("series/big".utf8)] + Array(repeating: frame, count: 40))
        usleep(2_000_000)
        let after = Self.rssKiB(daemon.pid, field: "VmHWM:")
        print("multipart 40 × 1 MiB: daemon peak RSS (VmHWM) \(before) KiB before, \(after) KiB after")
        #expect(after - before < 8 * 1024, "peak RSS grew from \(before) to \(after) KiB")
        #expect(daemon.process.isRunning)
        #expect(daemon.stop()?.status == 0)
    }
}

extension DaemonTests.Reliability {
    @Test("under a flood of expensive messages (1000 unknown keys each) SIGTERM is answered within 0.5 s; they are dropped as too_many_fields")
    func sigtermIsAnsweredUnderAnExpensiveFlood() throws {
        let directory = try Harness.temporaryDirectory("flood")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory)
        let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
        var text = "{"
        for k in 0..<1000 { text += #""k\#(k)":"\#(String(repeating: "v", count: 40))","# }
        text += #""y":1}"#
        let payload = Array(text.utf8)
        #expect(payload.count < 65536)
        for _ in 0..<6000 { try client.send("series/flood", payload) }
        usleep(300_000)
        let start = Date()
        let stop = daemon.stop(signal: SIGTERM, within: 30)
        let elapsed = Date().timeIntervalSince(start)
        print("flood: SIGTERM answered (exit) after \(Int(elapsed * 1000)) ms")
        #expect(stop?.status == 0)
        #expect(elapsed < 0.5, "SIGTERM took \(elapsed) s under the flood; stderr:\n\(daemon.stderr.split(separator: "\n").filter { !$0.contains("dropped message") }.suffix(12).joined(separator: "\n"))")
        #expect(daemon.stderr.contains("reason=too_many_fields"), "stderr:\n\(daemon.stderr.suffix(1500))")
    }
}
