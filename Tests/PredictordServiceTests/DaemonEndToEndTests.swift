import Foundation
import PredictorWire
import Testing

/// All daemon suites run one after another (each starts real daemons; the machine has two cores).
@Suite("predictord daemon, end to end", .serialized, .timeLimit(.minutes(2)))
struct DaemonTests {}

extension DaemonTests {
    /// Thousands of observations of every model kind, half JSON and half binary, through a real daemon: every
    /// prediction equals `predictord replay` on the same input, in the same order per stream.
    @Suite("end to end against replay")
    struct EndToEnd {
        static let streams: [(String, Workload.Kind, WireEncoding)] = [
            ("series/j", .series, .json), ("series/b", .series, .binary),
            ("pairs/j", .pairs, .json), ("pairs/b", .pairs, .binary),
            ("kernel/j", .kernel, .json), ("kernel/b", .kernel, .binary),
            ("weather/j", .weather, .json), ("weather/b", .weather, .binary),
            ("weather/learn-j", .weather, .json), ("weather/learn-b", .weather, .binary),
            ("weather-dual/j", .dual, .json), ("weather-dual/b", .dual, .binary),
        ]

        @Test("every prediction equals replay's, bit for bit, per stream in order")
        func predictionsEqualReplay() throws {
            let directory = try Harness.temporaryDirectory("e2e")
            defer { try? FileManager.default.removeItem(at: directory) }
            let items = Workload.make(seed: 42, perStream: 300, streams: Self.streams)
            #expect(items.count > 3000)
            let expected = try Oracle.replay(items, directory: directory)
            #expect(expected.count == items.count, "replay dropped some of the workload")

            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory)
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            for item in items { try client.send(item.stream, try item.payload()) }
            let received = try client.collect(count: expected.count)
            Oracle.compare(received: received, expected: expected,
                           encodings: Dictionary(uniqueKeysWithValues: Self.streams.map { ($0.0, $0.2) }))
            #expect(daemon.process.isRunning)
            // weather-learn, weather-dual and kernel learn across streams (learn: true in the harness): the journal says so.
            #expect(daemon.waitForStderr("slow memory of model 'weather-learn' changed: learned A, C, μ from ", within: 5),
                    "\(daemon.stderr)")
            #expect(daemon.waitForStderr("slow memory of model 'kernel' changed: learned beta ", within: 5), "\(daemon.stderr)")
            let stop = daemon.stop()
            #expect(stop?.status == 0, "daemon did not exit 0 on SIGTERM; stderr:\n\(daemon.stderr)")
        }
    }
}
