import Foundation
import PredictordTestSupport
import PredictorWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// Fast memory survives restarts: a graceful stop (final checkpoint), a kill -9 after a periodic checkpoint,
    /// and a corrupt checkpoint (moved aside, daemon starts empty).
    @Suite("restart and checkpoints")
    struct Restart {
        static let streams: [(String, Workload.Kind, WireEncoding)] = [
            ("series/r", .series, .json), ("pairs/r", .pairs, .binary), ("kernel/r", .kernel, .json),
            ("weather/r", .weather, .binary), ("weather/learn-r", .weather, .json), ("weather-dual/r", .dual, .json),
        ]
        static var encodings: [String: WireEncoding] { Dictionary(uniqueKeysWithValues: streams.map { ($0.0, $0.2) }) }

        /// Sends `items` to `daemon` and returns its predictions (all of them must arrive).
        static func run(_ items: ArraySlice<WorkItem>, expecting count: Int, on daemon: DaemonProcess) throws -> [ReceivedPrediction] {
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            defer { client.close() }
            for item in items { try client.send(item.stream, try item.payload()) }
            let received = try client.collect(count: count, settle: 0.1)
            #expect(received.count == count, "expected \(count) predictions, got \(received.count)")
            return received
        }

        @Test("SIGTERM mid-stream: STOPPING=1, exit 0, final checkpoint; after a restart the predictions continue as replay's")
        func gracefulRestartContinuesExactly() throws {
            let directory = try Harness.temporaryDirectory("restart")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            let items = Workload.make(seed: 11, perStream: 120, streams: Self.streams)
            let expected = try Oracle.replay(items, directory: directory)
            // Every item yields one prediction, so the first `cut` items give the first `cut` predictions.
            #expect(expected.count == items.count)
            let cut = items.count / 2

            let first = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "first")
            let part1 = try Self.run(items[..<cut], expecting: cut, on: first)
            let stop = first.stop(signal: SIGTERM)
            #expect(stop?.reason == .exit && stop?.status == 0, "first daemon: \(String(describing: stop)); stderr:\n\(first.stderr.suffix(3000))")
            #expect(first.notify.lines.contains("STOPPING=1"), "no STOPPING=1; notifications: \(first.notify.lines)")
            #expect(first.stderr.contains("writing final checkpoint"))
            #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("checkpoint.bin").path))

            let second = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "second")
            #expect(second.stderr.contains("restored checkpoint"), "stderr:\n\(second.stderr)")
            // STATUS= says the state came from a checkpoint, not "no checkpoint yet" (none is written until stop).
            let restored = second.notify.first(within: 5) { $0.hasPrefix("STATUS=") && $0.contains("; restored checkpoint of 20") }
            #expect(restored?.line.contains(", none written yet") == true, "STATUS lines: \(second.notify.lines.filter { $0.hasPrefix("STATUS=") })")
            let part2 = try Self.run(items[cut...], expecting: items.count - cut, on: second)
            Oracle.compare(received: part1 + part2, expected: expected, encodings: Self.encodings)
            #expect(second.stop()?.status == 0)
        }

        @Test("SIGTERM while a publisher is still sending: the final checkpoint holds exactly what was absorbed")
        func sigtermWhileSending() throws {
            let directory = try Harness.temporaryDirectory("midstream")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            var rng = SplitMix64(seed: 99)
            let items = (1...3000).map { t in
                WorkItem(stream: "series/m", message: InboundMessage(
                    body: .observation(.series([Double.random(in: -1...1, using: &rng) + Double(t % 7)])),
                    seq: UInt64(t), encoding: .json), encoding: .json)
            }
            let expected = try Oracle.replay(items, directory: directory)
            try #require(expected.count == items.count)

            let first = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "first")
            let client = try DaemonClient(observations: first.config.observationsEndpoint,
                                          predictions: first.config.predictionsEndpoint)
            for (index, item) in items.enumerated() {
                if index == items.count / 2 { kill(first.pid, SIGTERM) }
                try client.send(item.stream, try item.payload())
            }
            let stop = first.stop(signal: SIGTERM)
            #expect(stop?.reason == .exit && stop?.status == 0, "\(String(describing: stop)); stderr:\n\(first.stderr.suffix(2000))")
            let before = try client.collect(count: items.count, within: 1, settle: 0)
            client.close()

            // How many observations the checkpoint holds: a query's `n` after the restart.
            let second = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "second")
            let again = try DaemonClient(observations: second.config.observationsEndpoint,
                                         predictions: second.config.predictionsEndpoint)
            try again.send("series/m", Array(#"{"x":[0,0,0,0,1]}"#.utf8))
            let query = try again.collect(count: 1, within: 5, settle: 0)
            let absorbed = try #require(query.first.flatMap { try? WireDecoder.prediction($0.payload, stream: "series/m") }?.prediction.count)
            #expect(absorbed >= before.count && absorbed <= items.count, "absorbed \(absorbed), received \(before.count)")
            // Every absorbed observation's prediction was delivered before the exit (the PUB socket lingers 1 s).
            #expect(absorbed == before.count, "\(absorbed - before.count) prediction(s) computed before SIGTERM were never delivered")
            // What arrived before the stop is replay's prefix; the rest continues exactly from the checkpoint.
            Oracle.compare(received: before, expected: Array(expected[..<before.count]), encodings: ["series/m": .json])
            for item in items[absorbed...] { try again.send(item.stream, try item.payload()) }
            let after = try again.collect(count: items.count - absorbed, settle: 0.1)
            Oracle.compare(received: after, expected: Array(expected[absorbed...]), encodings: ["series/m": .json])
            #expect(second.stop()?.status == 0)
        }

        @Test("kill -9 after a periodic checkpoint: the restart restores it, logs it, and continues exactly")
        func killAfterPeriodicCheckpoint() throws {
            let directory = try Harness.temporaryDirectory("kill9")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            let checkpoint = state.appendingPathComponent("checkpoint.bin")
            let items = Workload.make(seed: 12, perStream: 100, streams: Self.streams)
            let expected = try Oracle.replay(items, directory: directory)
            #expect(expected.count == items.count)
            let cut = items.count / 2

            let first = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "first") {
                $0.checkpointIntervalSeconds = 0.3
            }
            let part1 = try Self.run(items[..<cut], expecting: cut, on: first)
            // Every part-1 prediction has arrived, so the engine has absorbed part 1. A periodic write that started
            // before that could still land after this point, so wait for two further changes of the file: the
            // second one's snapshot was taken after the first finished, i.e. after now.
            func contents() -> Data? { try? Data(contentsOf: checkpoint) }
            var seen = contents()
            for _ in 0..<2 {
                let before = seen
                let changed = waitUntil(5) {
                    seen = contents()
                    return seen != nil && seen != before
                }
                #expect(changed, "checkpoint.bin did not change within 5 s (interval 0.3 s); stderr:\n\(first.stderr.suffix(2000))")
            }
            let stop = first.stop(signal: SIGKILL)
            #expect(stop?.reason == .uncaughtSignal, "\(String(describing: stop))")
            #expect(!first.notify.lines.contains("STOPPING=1"))

            let second = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "second")
            let log = second.stderr
            #expect(log.contains("restored checkpoint"), "stderr:\n\(log)")
            // The streams of part 1 plus the probe stream.
            #expect(log.contains("contexts=\(Self.streams.count + 1)"), "restore log does not say \(Self.streams.count + 1) contexts:\n\(log)")
            let part2 = try Self.run(items[cut...], expecting: items.count - cut, on: second)
            Oracle.compare(received: part1 + part2, expected: expected, encodings: Self.encodings)
            #expect(second.stop()?.status == 0)
        }

        @Test("a corrupt checkpoint is moved aside as checkpoint.corrupt-*.bin and reported; the daemon starts empty")
        func corruptCheckpointIsMovedAside() throws {
            let directory = try Harness.temporaryDirectory("corrupt")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            var rng = SplitMix64(seed: 3)
            let garbage = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) })
            try garbage.write(to: state.appendingPathComponent("checkpoint.bin"))

            let daemon = try DaemonProcess.start(stateDirectory: state, directory: directory)
            let log = daemon.stderr
            #expect(log.contains("checkpoint unusable and moved aside"), "stderr:\n\(log)")
            let names = try FileManager.default.contentsOfDirectory(atPath: state.path)
            let moved = names.filter { $0.hasPrefix("checkpoint.corrupt-") && $0.hasSuffix(".bin") }
            #expect(moved.count == 1, "state directory holds \(names)")
            if let name = moved.first {
                #expect(try Data(contentsOf: state.appendingPathComponent(name)) == garbage, "the moved file is not the original")
                #expect(log.contains(name), "the log does not name \(name)")
            }

            // It serves from empty fast memory: a series stream's first prediction has n = 1.
            let items = Workload.make(seed: 5, perStream: 10, streams: [("series/c", .series, .json)])
            let received = try Self.run(items[...], expecting: items.count, on: daemon)
            Oracle.compare(received: received, expected: try Oracle.replay(items, directory: directory),
                           encodings: ["series/c": .json])
            #expect(daemon.stop()?.status == 0)
            // The graceful stop wrote a fresh, valid checkpoint over the garbage's old place.
            #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("checkpoint.bin").path))
        }
    }
}
