import Foundation
import PredictordConfig
import PredictorWire
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Key pairs made by the real `predictord keygen` in a test directory.
struct TestKeys {
    let directory: URL

    /// Runs `predictord keygen --out DIR/keys/NAME` and reads the pair back from NAME.key.
    func make(_ name: String, in subdirectory: String = "keys") throws -> (pair: ZMQCurveKeyPair, secret: String, public: String) {
        let base = directory.appendingPathComponent(subdirectory).appendingPathComponent(name).path
        let result = try Harness.runTool(["keygen", "--out", base], in: directory)
        guard result.status == 0 else { throw HarnessError("keygen \(name) failed (\(result.status)): \(result.stderr)") }
        let text = try String(contentsOfFile: base + ".key", encoding: .utf8)
        guard let pair = try ZMQCurveCertificate.parse(text).keyPair else { throw HarnessError("\(base).key holds no secret key") }
        return (pair, base + ".key", base + ".pub")
    }

    /// CURVE on one daemon socket: the server's key file and the allowed keys' files or directories (`allow`), the
    /// keys they hold being `allowed`; the daemon reads the files again.
    static func curve(server: (pair: ZMQCurveKeyPair, secret: String, public: String), allow: [String],
                      allowed: [(pair: ZMQCurveKeyPair, secret: String, public: String)]) -> CurveServerConfiguration {
        CurveServerConfiguration(
            secretKeyFile: server.secret, keyPair: server.pair, allowPaths: allow,
            allowed: allowed.map { .init(key: $0.pair.publicKey, file: $0.public) })
    }
}

/// A client socket outside the daemon's allow-lists (unknown key, or plain text), on its own context.
final class StrangerSockets {
    let context: ZMQContext
    let publisher: ZMQSocket
    let subscriber: ZMQSocket

    init(observations: String, predictions: String, curve: (ZMQCurveKeyPair, ZMQCurveKey)?) throws {
        context = try ZMQContext()
        publisher = try ZMQSocket(context: context, type: .pub)
        subscriber = try ZMQSocket(context: context, type: .sub)
        if let (pair, server) = curve {
            try publisher.makeCurveClient(keyPair: pair, serverKey: server)
            try subscriber.makeCurveClient(keyPair: pair, serverKey: server)
        }
        try subscriber.subscribe(prefix: "")
        try subscriber.setReceiveTimeout(.milliseconds(20))
        try publisher.connect(observations)
        try subscriber.connect(predictions)
    }

    /// Sends `{"seq":i,"y":i}` on `stream` every 20 ms for `seconds`; returns the messages the subscriber got.
    func sendAndListen(stream: String, seconds: Double, alongside: () throws -> Void) throws -> Int {
        var received = 0
        let deadline = Date().addingTimeInterval(seconds)
        var seq = 1
        while Date() < deadline {
            try publisher.send(topic: stream, payload: Array(#"{"seq":\#(seq),"y":\#(seq)}"#.utf8))
            seq += 1
            try alongside()
            while try subscriber.receive() != nil { received += 1 }
        }
        return received
    }

    deinit {
        publisher.close()
        subscriber.close()
    }
}

extension DaemonTests {
    /// CURVE with allow-lists on both daemon sockets, keys from `predictord keygen`, real sockets on 127.0.0.1.
    @Suite("CURVE security")
    struct Security {
        static let streams: [(String, Workload.Kind, WireEncoding)] = [
            ("series/j", .series, .json), ("pairs/b", .pairs, .binary), ("weather/j", .weather, .json),
        ]

        /// Keys for the daemon and one allowed publisher and subscriber; starts the daemon with CURVE on both sockets.
        static func secureDaemon(directory: URL) throws -> (daemon: DaemonProcess, server: ZMQCurveKeyPair,
                                                            publisher: ZMQCurveKeyPair, subscriber: ZMQCurveKeyPair) {
            let keys = TestKeys(directory: directory)
            let server = try keys.make("server")
            // Publishers are allowed by directory, the subscriber by file.
            let publisher = try keys.make("alice", in: "publishers")
            let subscriber = try keys.make("bob")
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
                $0.observationsCurve = TestKeys.curve(server: server, allow: [directory.appendingPathComponent("publishers").path],
                                                      allowed: [publisher])
                $0.predictionsCurve = TestKeys.curve(server: server, allow: [subscriber.public], allowed: [subscriber])
            }
            return (daemon, server.pair, publisher.pair, subscriber.pair)
        }

        static func allowedClient(_ d: (daemon: DaemonProcess, server: ZMQCurveKeyPair, publisher: ZMQCurveKeyPair, subscriber: ZMQCurveKeyPair)) throws -> DaemonClient {
            try DaemonClient(observations: d.daemon.config.observationsEndpoint, predictions: d.daemon.config.predictionsEndpoint) { pub, sub in
                try pub.makeCurveClient(keyPair: d.publisher, serverKey: d.server.publicKey)
                try sub.makeCurveClient(keyPair: d.subscriber, serverKey: d.server.publicKey)
            }
        }

        @Test("keygen writes NAME.key (0600) and NAME.pub, and does not overwrite without --force")
        func keygenWritesAPair() throws {
            let directory = try Harness.temporaryDirectory("keygen")
            defer { try? FileManager.default.removeItem(at: directory) }
            let made = try TestKeys(directory: directory).make("server")
            var info = stat()
            #expect(stat(made.secret, &info) == 0 && info.st_mode & 0o777 == 0o600)
            let publicText = try String(contentsOfFile: made.public, encoding: .utf8)
            #expect(!publicText.contains("secret-key"))
            #expect(try ZMQCurveCertificate.parse(publicText).publicKey == made.pair.publicKey)
            // Independent check of the pair: the public key libzmq derives from the secret one.
            #expect(try ZMQCurveKeyPair(secretKey: made.pair.secretKey).publicKey == made.pair.publicKey)

            let base = directory.appendingPathComponent("keys/server").path
            let again = try Harness.runTool(["keygen", "--out", base], in: directory)
            #expect(again.status != 0 && again.stderr.contains("--force"), "stderr: \(again.stderr)")
            #expect(try String(contentsOfFile: made.secret, encoding: .utf8).contains(made.pair.secretKey.z85), "the old secret survives")
            let forced = try Harness.runTool(["keygen", "--out", base, "--force"], in: directory)
            #expect(forced.status == 0)
            let replaced = try ZMQCurveCertificate.parse(String(contentsOfFile: made.secret, encoding: .utf8))
            #expect(replaced.publicKey != made.pair.publicKey)
            #expect(stat(made.secret, &info) == 0 && info.st_mode & 0o777 == 0o600)
        }

        @Test("allowed publisher and subscriber: every prediction equals replay's")
        func allowedClientsWork() throws {
            let directory = try Harness.temporaryDirectory("curve-ok")
            defer { try? FileManager.default.removeItem(at: directory) }
            let items = Workload.make(seed: 11, perStream: 120, streams: Self.streams)
            let expected = try Oracle.replay(items, directory: directory)
            let secured = try Self.secureDaemon(directory: directory)
            #expect(secured.daemon.stderr.contains("CURVE on sockets.observations"))
            let client = try Self.allowedClient(secured)
            for item in items { try client.send(item.stream, try item.payload()) }
            let received = try client.collect(count: expected.count)
            Oracle.compare(received: received, expected: expected,
                           encodings: Dictionary(uniqueKeysWithValues: Self.streams.map { ($0.0, $0.2) }))
            #expect(!secured.daemon.stderr.contains("refused"), "stderr:\n\(secured.daemon.stderr.suffix(2000))")
            #expect(secured.daemon.stop()?.status == 0)
        }

        /// Runs a stranger (unknown key or plain text) next to an allowed client for 1.5 s and checks that it gets
        /// nothing in and nothing out while the allowed client is served; returns the daemon's stderr.
        func strangerGetsNothing(label: String, curve: Bool) throws -> (stderr: String, stranger: ZMQCurveKeyPair?, drops: [String: Int]) {
            let directory = try Harness.temporaryDirectory(label)
            defer { try? FileManager.default.removeItem(at: directory) }
            let secured = try Self.secureDaemon(directory: directory)
            let client = try Self.allowedClient(secured)
            let strangerPair = curve ? try ZMQCurveKeyPair.generate() : nil
            let stranger = try StrangerSockets(
                observations: secured.daemon.config.observationsEndpoint, predictions: secured.daemon.config.predictionsEndpoint,
                curve: strangerPair.map { ($0, secured.server.publicKey) })
            var goodSeq = 0
            let strangerGot = try stranger.sendAndListen(stream: "series/stranger", seconds: 1.5) {
                goodSeq += 1
                try client.send("series/good", Array(#"{"seq":\#(goodSeq),"y":\#(goodSeq)}"#.utf8))
            }
            let received = try client.collect(count: goodSeq, within: 5, settle: 0.3)
            #expect(received.filter { $0.stream == "series/good" }.count == goodSeq, "the allowed client is served throughout")
            #expect(!received.contains { $0.stream == "series/stranger" }, "nothing in: the stranger's observations were used")
            #expect(strangerGot == 0, "nothing out: the stranger received \(strangerGot) predictions")
            var drops: [String: Int] = [:]
            waitUntil(5) {
                drops = lastStatsDrops(in: secured.daemon.stderr)?.reasons ?? [:]
                return !drops.isEmpty
            }
            #expect(secured.daemon.stop()?.status == 0)
            return (secured.daemon.stderr, strangerPair, drops)
        }

        @Test("publish and tail with --curve-key/--server-key talk to a secured daemon; a key not on the list gets a hint")
        func cliClientsWithKeys() throws {
            let directory = try Harness.temporaryDirectory("curve-cli")
            defer { try? FileManager.default.removeItem(at: directory) }
            let items = Workload.make(seed: 5, perStream: 40, streams: [("series/cli", .series, .json), ("weather/cli", .weather, .json)])
            let expected = try Oracle.replay(items, directory: directory)
            let input = directory.appendingPathComponent("input.jsonl")
            try Data(items.map { try $0.replayLine() + [UInt8(ascii: "\n")] }.joined()).write(to: input)
            let secured = try Self.secureDaemon(directory: directory)
            let server = directory.appendingPathComponent("keys/server.pub").path
            let alice = directory.appendingPathComponent("publishers/alice.key").path
            let bob = directory.appendingPathComponent("keys/bob.key").path

            let tailOut = directory.appendingPathComponent("tail.out")
            _ = FileManager.default.createFile(atPath: tailOut.path, contents: nil)
            let tailHandle = try FileHandle(forWritingTo: tailOut)
            defer { try? tailHandle.close() }
            let tail = Process()
            tail.executableURL = Harness.binary
            tail.arguments = ["tail", "--endpoint", secured.daemon.config.predictionsEndpoint, "--curve-key", bob,
                              "--server-key", server, "--count", "\(expected.count)", "--idle", "10"]
            tail.environment = Harness.cleanEnvironment()
            tail.standardOutput = tailHandle
            tail.standardError = FileHandle.nullDevice
            try tail.run()
            defer { if tail.isRunning { kill(tail.processIdentifier, SIGKILL) } }
            // The tail's CURVE handshake and subscription take a few ms on loopback; 1 s is ample.
            usleep(1_000_000)
            let publish = try Harness.runTool(["publish", "--endpoint", secured.daemon.config.observationsEndpoint,
                                               "--curve-key", alice, "--server-key", server, input.path], in: directory)
            #expect(publish.status == 0, "publish: \(publish.stderr)")
            #expect(waitUntil(15) { !tail.isRunning }, "tail did not print \(expected.count) predictions")
            let lines = try Data(contentsOf: tailOut).split(separator: UInt8(ascii: "\n")).map { Array($0) }
            let received = try lines.map { line -> ReceivedPrediction in
                let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                return ReceivedPrediction(stream: object?["stream"] as? String ?? "?", payload: line)
            }
            Oracle.compare(received: received, expected: expected, encodings: [:])

            // A publisher whose key is not on the list: publish gives up and says why.
            let eve = try TestKeys(directory: directory).make("eve")
            let refused = try Harness.runTool(["publish", "--endpoint", secured.daemon.config.observationsEndpoint, "--timeout", "2",
                                               "--curve-key", eve.secret, "--server-key", server, input.path], in: directory)
            #expect(refused.status != 0 && refused.stderr.contains("allow-list"), "stderr: \(refused.stderr)")
            let halfGiven = try Harness.runTool(["tail", "--curve-key", bob, "--count", "1"], in: directory)
            #expect(halfGiven.status != 0 && halfGiven.stderr.contains("--server-key"), "stderr: \(halfGiven.stderr)")
            #expect(secured.daemon.stop()?.status == 0)
        }

        @Test("unknown client key: nothing in, nothing out; refusal logged with key and address, and counted")
        func unknownKeyIsRefused() throws {
            let result = try strangerGetsNothing(label: "curve-unknown", curve: true)
            let key = try #require(result.stranger).publicKey.z85
            let refusals = result.stderr.split(separator: "\n").filter { $0.contains("refused CURVE client \(key) at 127.0.0.1") }
            #expect(refusals.contains { $0.contains("allowed_publishers") }, "stderr:\n\(result.stderr.suffix(3000))")
            #expect(refusals.contains { $0.contains("allowed_subscribers") })
            #expect((result.drops["curve_key_refused"] ?? 0) >= 2, "drops: \(result.drops)")
            #expect(result.drops["curve_handshake_failed"] == nil)
        }

        @Test("plain-text client: nothing in, nothing out; failed handshake logged and counted")
        func plainTextClientIsRefused() throws {
            let result = try strangerGetsNothing(label: "curve-plain", curve: false)
            let lines = result.stderr.split(separator: "\n").filter { $0.contains("CURVE handshake failed") && $0.contains("without CURVE") || $0.contains("does not use CURVE") }
            #expect(lines.contains { $0.contains("sockets.observations") }, "stderr:\n\(result.stderr.suffix(3000))")
            #expect(lines.contains { $0.contains("sockets.predictions") })
            #expect((result.drops["curve_handshake_failed"] ?? 0) >= 2, "drops: \(result.drops)")
        }

        @Test("SIGHUP reloads the allow-lists: a key added to allowed_publishers gets in on its next connection")
        func reloadAddsAKey() throws {
            let directory = try Harness.temporaryDirectory("curve-reload")
            defer { try? FileManager.default.removeItem(at: directory) }
            let secured = try Self.secureDaemon(directory: directory)
            let client = try Self.allowedClient(secured)
            let eve = try TestKeys(directory: directory).make("eve", in: "outside")
            let endpoints = (secured.daemon.config.observationsEndpoint, secured.daemon.config.predictionsEndpoint)
            let before = try StrangerSockets(observations: endpoints.0, predictions: endpoints.1, curve: (eve.pair, secured.server.publicKey))
            _ = try before.sendAndListen(stream: "series/eve", seconds: 1) {}
            #expect(try client.collect(count: 1, within: 0.5, settle: 0).isEmpty, "eve is not on the list yet")

            try FileManager.default.copyItem(atPath: eve.public, toPath: directory.appendingPathComponent("publishers/eve.pub").path)
            kill(secured.daemon.pid, SIGHUP)
            #expect(secured.daemon.waitForStderr("allowed_publishers reloaded: 2 key(s)", within: 10), "stderr:\n\(secured.daemon.stderr.suffix(2000))")
            let after = try StrangerSockets(observations: endpoints.0, predictions: endpoints.1, curve: (eve.pair, secured.server.publicKey))
            var got: [ReceivedPrediction] = []
            waitUntil(10) {
                _ = try? after.publisher.send(topic: "series/eve2", payload: Array(#"{"y":1}"#.utf8))
                got += (try? client.collect(count: 1, within: 0.1, settle: 0)) ?? []
                return got.contains { $0.stream == "series/eve2" }
            }
            #expect(got.contains { $0.stream == "series/eve2" }, "eve's observations are used after the reload")
            #expect(secured.daemon.stop()?.status == 0)
        }

        @Test("CURVE on the prediction socket only: plain-text publishers still get in, subscribers need a key")
        func curveOnOneSocketOnly() throws {
            let directory = try Harness.temporaryDirectory("curve-one")
            defer { try? FileManager.default.removeItem(at: directory) }
            let keys = TestKeys(directory: directory)
            let server = try keys.make("server"), bob = try keys.make("bob")
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
                $0.predictionsCurve = TestKeys.curve(server: server, allow: [bob.public], allowed: [bob])
            }
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint) { _, sub in
                try sub.makeCurveClient(keyPair: bob.pair, serverKey: server.pair.publicKey)
            }
            try client.send("series/plain", Array(#"{"y":1}"#.utf8))
            #expect(try client.collect(count: 1, within: 5, settle: 0).map(\.stream) == ["series/plain"])
            #expect(!daemon.stderr.contains("refused"), "stderr:\n\(daemon.stderr.suffix(2000))")
            #expect(daemon.stop()?.status == 0)
        }

        @Test("binding beyond loopback without CURVE warns at start, naming the endpoint and how to enable CURVE")
        func nonLoopbackBindWarns() throws {
            let directory = try Harness.temporaryDirectory("exposed")
            defer { try? FileManager.default.removeItem(at: directory) }
            let open = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory, name: "open") {
                $0.observationsBindHost = "0.0.0.0"
            }
            let endpoint = "tcp://0.0.0.0:\(open.config.observationsPort)"
            let warning = open.stderr.split(separator: "\n").first { $0.contains("reachable from other hosts and CURVE is off") }
            #expect(warning?.contains("sockets.observations.bind \(endpoint)") == true, "stderr:\n\(open.stderr)")
            #expect(warning?.contains("curve_secret_key_file") == true && warning?.contains("predictord keygen") == true)
            #expect(warning?.contains("warning") == true)
            #expect(!open.stderr.contains("sockets.predictions.bind tcp://127.0.0.1"), "loopback must not warn")
            #expect(open.stop()?.status == 0)

            // The same bind with CURVE on that socket: no warning.
            let keys = TestKeys(directory: directory)
            let server = try keys.make("server"), client = try keys.make("client")
            let closed = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state2"), directory: directory, name: "closed") {
                $0.observationsBindHost = "0.0.0.0"
                $0.observationsCurve = TestKeys.curve(server: server, allow: [client.public], allowed: [client])
            }
            #expect(!closed.stderr.contains("reachable from other hosts"), "stderr:\n\(closed.stderr)")
            #expect(closed.stop()?.status == 0)
        }

        @Test("limits: topic length, vector length and contexts per prefix are dropped, counted and logged")
        func limitsAreEnforced() throws {
            let directory = try Harness.temporaryDirectory("limits")
            defer { try? FileManager.default.removeItem(at: directory) }
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
                $0.limits.maxTopicBytes = 16
                $0.limits.maxVectorLength = 3
                $0.limits.maxContextsPerPrefix = 2
            }
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
            let y = { (v: Int) in Array(#"{"y":\#(v)}"#.utf8) }
            try client.send("series/a", y(1))
            try client.send("series/b", y(2))
            try client.send("series/c", y(3))                                      // third context of series/: refused
            try client.send("pairs/a", Array(#"{"x":[1,2],"y":3}"#.utf8))          // another prefix still has room
            try client.send("series/abcdefghijk", y(4))                           // 18 bytes > 16
            try client.send("pairs/a", Array(#"{"x":[1,2,3,4],"y":3}"#.utf8))      // 4 components > 3
            try client.send("pairs/a", Array(#"{"x":[1,2,3,4,5]}"#.utf8))          // query of 5 components
            try client.send("series/a", y(5))                                      // existing contexts still served
            let received = try client.collect(count: 4, within: 10, settle: 0.5)
            #expect(received.map(\.stream) == ["series/a", "series/b", "pairs/a", "series/a"])
            let wanted = ["prefix_context_limit": 1, "topic_too_long": 1, "vector_too_long": 2]
            var drops: [String: Int] = [:]
            waitUntil(5) {
                drops = lastStatsDrops(in: daemon.stderr)?.reasons ?? [:]
                return drops == wanted
            }
            #expect(drops == wanted, "stderr:\n\(daemon.stderr.suffix(3000))")
            let dropLines = daemon.stderr.split(separator: "\n").filter { $0.contains("dropped message") }
            for (reason, key) in [("prefix_context_limit", "limits.max_contexts_per_prefix"), ("topic_too_long", "limits.max_topic_bytes"),
                                  ("vector_too_long", "limits.max_vector_length")] {
                #expect(dropLines.contains { $0.contains("reason=\(reason)") && $0.contains(key) }, "no log line for \(reason)")
            }
            #expect(daemon.stop()?.status == 0)
        }
    }
}
