import Foundation
import PredictordConfig
import PredictordTestSupport
import PredictorWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// state.journal with the real daemon: kill -9 at random moments under load (during sends, checkpoints and
    /// journal rotations) loses no observation whose prediction was published, and every prediction after each
    /// restart equals `predictord replay` of the whole input, bit for bit (learned slow memory included).
    @Suite("journal")
    struct Journal {
        /// Two streams of every model kind (three of the models learn slow memory), 96 observations each: no resets
        /// and (below) no queries, so every message carries a seq and resending an absorbed one is refused (`seq_not_increasing`).
        static let streams: [(String, Workload.Kind, WireEncoding)] = [
            ("series/k1", .series, .json), ("series/k2", .series, .binary), ("pairs/k1", .pairs, .binary),
            ("pairs/k2", .pairs, .json), ("kernel/k1", .kernel, .json), ("kernel/k2", .kernel, .binary),
            ("weather/k1", .weather, .binary), ("weather/learn-k1", .weather, .json), ("weather/learn-k2", .weather, .binary),
            ("weather-dual/k1", .dual, .json), ("weather-dual/k2", .dual, .binary), ("weather/k2", .weather, .json),
        ]

        /// The (stream, prediction seq) of item `i`'s prediction: the observation's seq + 1.
        static func key(_ item: WorkItem) -> String { "\(item.stream)#\(item.message.seq! + 1)" }

        /// Asks every stream `{"state":true}` (in its encoding) and returns the answers by stream.
        static func askState(_ client: DaemonClient, streams: [(String, Workload.Kind, WireEncoding)]) throws -> [String: OutboundPrediction] {
            for (stream, _, encoding) in streams {
                try client.send(stream, try WireEncoder.observation(InboundMessage(body: .state, encoding: encoding), encoding: encoding))
            }
            var answers: [String: OutboundPrediction] = [:]
            for got in try client.collect(count: streams.count, within: 10, settle: 0.05) {
                let decoded = try WireDecoder.prediction(got.payload, stream: got.stream)
                #expect(decoded.isState, "\(got.stream): an answer without the state mark")
                let encoding = streams.first { $0.0 == got.stream }?.2
                #expect(got.payload.first == (encoding == .json ? UInt8(ascii: "{") : 1), "\(got.stream): answer not in the question's encoding")
                answers[got.stream] = decoded
            }
            #expect(answers.count == streams.count, "answers for \(answers.keys.sorted())")
            return answers
        }

        static func key(_ got: ReceivedPrediction) -> String? {
            guard let seq = (try? WireDecoder.prediction(got.payload, stream: got.stream))?.seq else { return nil }
            return "\(got.stream)#\(seq)"
        }

        @Test("kill -9 at random moments under load (20 with journal: write, 4 with fsync): no published observation lost, every prediction equals replay's",
              arguments: [("write", 20, 96), ("fsync", 4, 24)])
        func killNine(journal: String, kills: Int, perStream: Int) throws {
            let directory = try Harness.temporaryDirectory("journal-kill")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            // Without queries (a resent query is answered again, and its prediction seq is not the observation's + 1).
            let items = Workload.make(seed: 41, perStream: perStream, streams: Self.streams).filter {
                if case .query = $0.message.body { false } else { true }
            }
            try #require(items.allSatisfy { $0.message.seq != nil })
            let expected = try Oracle.replay(items, directory: directory)
            try #require(expected.count == items.count, "replay must predict every item")
            let position = Dictionary(uniqueKeysWithValues: items.enumerated().map { (Self.key($1), $0) })
            let encodings = Dictionary(uniqueKeysWithValues: Self.streams.map { ($0.0, $0.2) })
            var rng = SplitMix64(seed: 2026)

            var next = 0              // the first item without a published prediction
            var lastPublished: [String: UInt64] = [:], lastSent: [String: UInt64] = [:]
            var published = 0, silent = 0, replayedRuns = 0
            for cycle in 0...kills {
                let daemon = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "kill-\(cycle)") {
                    $0.checkpointIntervalSeconds = 0.05
                    $0.journal = DaemonConfiguration.JournalMode(rawValue: journal)!
                }
                if daemon.stderr.contains("replayed the journal") { replayedRuns += 1 }
                let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                              predictions: daemon.config.predictionsEndpoint)
                // The recovery answer: each stream has absorbed at least every observation whose prediction was
                // received, and nothing that was not sent.
                for (stream, answer) in try Self.askState(client, streams: Self.streams) {
                    let absorbed = answer.seq.map { $0 - 1 } ?? 0
                    #expect(absorbed >= lastPublished[stream] ?? 0, "cycle \(cycle) \(stream): absorbed seq \(absorbed) < published \(lastPublished[stream] ?? 0)")
                    #expect(absorbed <= lastSent[stream] ?? 0, "cycle \(cycle) \(stream): absorbed seq \(absorbed) > sent \(lastSent[stream] ?? 0)")
                }
                let last = cycle == kills
                // Resend from the first unpublished item: the ones the daemon absorbed but never answered are refused.
                let burst = last ? items.count - next : Int.random(in: 1...max(1, min(110, items.count - next)), using: &rng)
                for item in items[next..<(next + burst)] {
                    try client.send(item.stream, try item.payload())
                    lastSent[item.stream] = max(lastSent[item.stream] ?? 0, item.message.seq!)
                }
                let received: [ReceivedPrediction]
                if last {
                    // Until the last item's prediction (the ones absorbed silently before the last kill never come).
                    var all: [ReceivedPrediction] = []
                    let deadline = Date().addingTimeInterval(20)
                    while Date() < deadline, !all.contains(where: { Self.key($0) == Self.key(items.last!) }) {
                        all += try client.collect(count: items.count, within: 0.2, settle: 0)
                    }
                    received = all + (try client.collect(count: items.count, within: 0.2, settle: 0))
                    #expect(daemon.stop()?.status == 0, "stderr:\n\(daemon.stderr.suffix(2000))")
                } else {
                    usleep(UInt32.random(in: 0...4000, using: &rng))
                    let stop = daemon.stop(signal: SIGKILL)
                    #expect(stop?.reason == .uncaughtSignal, "\(String(describing: stop))")
                    received = try client.collect(count: burst, within: 0.3, settle: 0)
                }
                client.close()

                // What arrived is one run of consecutive items, each exactly replay's prediction of that item.
                let indices = received.compactMap { Self.key($0).flatMap { position[$0] } }
                #expect(indices.count == received.count, "cycle \(cycle): a prediction that matches no item")
                if let first = indices.first {
                    #expect(indices == Array(first..<(first + indices.count)), "cycle \(cycle): predictions not consecutive: \(indices)")
                    #expect(first >= next, "cycle \(cycle): item \(first) answered twice")
                    // Items before `first` were absorbed in an earlier life (journaled) but their predictions never
                    // left it: the restarted daemon refused them as already seen, and the predictions after them
                    // (equal to replay's, which includes them) prove they are in fast memory.
                    silent += first - next
                    Oracle.compare(received: received, expected: indices.map { expected[$0] }, encodings: encodings)
                    next = first + indices.count
                    published += indices.count
                    for i in indices { lastPublished[items[i].stream] = items[i].message.seq! }
                }
            }
            #expect(next == items.count, "items after \(next) were never answered")
            #expect(published + silent == items.count)
            #expect(silent <= kills * 110, "silent \(silent)")
            // The journal was needed: most restarts replayed part of it (checkpoints come only every 50 ms).
            #expect(replayedRuns >= kills / 4, "only \(replayedRuns) of \(kills) restarts replayed the journal")
            print("journal kill -9 test (\(journal)): \(published) predictions identical to replay, \(silent) observations absorbed before a kill whose prediction was never sent, \(replayedRuns) of \(kills) restarts replayed the journal")
        }

        @Test("a refused message that resets its stream (y = 1e308: non_finite_state) is journaled: after a kill -9 the stream equals replay's")
        func refusalThatResetsIsReplayed() throws {
            let directory = try Harness.temporaryDirectory("journal-nonfinite")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            var rng = SplitMix64(seed: 44)
            let items = (1...40).map { t in
                WorkItem(stream: "series/n", message: InboundMessage(
                    body: .observation(.series([t == 15 ? 1e308 : Double.random(in: -1...1, using: &rng) + Double(t % 5)])),
                    seq: UInt64(t), encoding: .json), encoding: .json)
            }
            let expected = try Oracle.replay(items, directory: directory)
            try #require(expected.count == items.count - 1, "replay drops the overflowing observation")
            let first = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "first")
            var client = try DaemonClient(observations: first.config.observationsEndpoint, predictions: first.config.predictionsEndpoint)
            for item in items[..<25] { try client.send(item.stream, try item.payload()) }
            let before = try client.collect(count: 24, settle: 0.1)
            #expect(first.stop(signal: SIGKILL)?.reason == .uncaughtSignal)
            client.close()
            let second = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "second")
            #expect(second.stderr.contains("replayed the journal"), "stderr:\n\(second.stderr)")
            client = try DaemonClient(observations: second.config.observationsEndpoint, predictions: second.config.predictionsEndpoint)
            for item in items[25...] { try client.send(item.stream, try item.payload()) }
            let after = try client.collect(count: items.count - 25, settle: 0.1)
            Oracle.compare(received: before + after, expected: expected, encodings: ["series/n": .json])
            #expect(second.stop()?.status == 0)
            client.close()
        }

        @Test("predictord inspect lists the journal after the checkpoint: its messages and that it follows the checkpoint")
        func inspectListsTheJournal() throws {
            let directory = try Harness.temporaryDirectory("journal-inspect")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            let items = Workload.make(seed: 45, perStream: 10, streams: [("series/i", .series, .json)]).filter {
                if case .query = $0.message.body { false } else { true }
            }
            var daemon = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "first")
            var client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
            for item in items[..<4] { try client.send(item.stream, try item.payload()) }
            _ = try client.collect(count: 4, settle: 0.05)
            #expect(daemon.stop()?.status == 0)
            client.close()
            daemon = try DaemonProcess.start(stateDirectory: state, directory: directory, name: "second")
            client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
            for item in items[4...] { try client.send(item.stream, try item.payload()) }
            _ = try client.collect(count: items.count - 4, settle: 0.05)
            _ = daemon.stop(signal: SIGKILL)
            client.close()
            let result = try Harness.runTool(["inspect", state.path], in: directory)
            let text = String(decoding: result.stdout, as: UTF8.self)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(text.contains("journal: 1 segment(s)"), "\(text)")
            // The series observations sent to the second daemon plus its probes (at least one).
            let line = text.split(separator: "\n").first { $0.contains("/journal-000") } ?? ""
            let messages = Int(line.split(separator: " ").first { $0.allSatisfy(\.isNumber) } ?? "") ?? 0
            #expect(messages > items.count - 4 && messages < items.count - 4 + 500, "\(line)")
            #expect(line.contains("follows this checkpoint"), "\(line)")
        }

        @Test("journal off: after a kill -9 the publisher asks {\"state\":true}, resends from the answer, and gets replay's predictions")
        func recoveryAnswerLetsPublisherResend() throws {
            let directory = try Harness.temporaryDirectory("journal-state")
            defer { try? FileManager.default.removeItem(at: directory) }
            let state = directory.appendingPathComponent("state")
            let streams: [(String, Workload.Kind, WireEncoding)] = [
                ("series/s", .series, .json), ("pairs/s", .pairs, .binary), ("kernel/s", .kernel, .json),
                ("weather/s", .weather, .binary), ("weather/learn-s", .weather, .json),
            ]
            let items = Workload.make(seed: 43, perStream: 90, streams: streams).filter {
                if case .query = $0.message.body { false } else { true }
            }
            let expected = try Oracle.replay(items, directory: directory)
            try #require(expected.count == items.count)
            let encodings = Dictionary(uniqueKeysWithValues: streams.map { ($0.0, $0.2) })
            let cut = items.count / 3, cut2 = 2 * items.count / 3
            func start(_ name: String) throws -> (DaemonProcess, DaemonClient) {
                let daemon = try DaemonProcess.start(stateDirectory: state, directory: directory, name: name) { $0.journal = .off }
                return (daemon, try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint))
            }

            // Part 1, then a graceful stop: the final checkpoint holds it.
            var (daemon, client) = try start("first")
            for item in items[..<cut] { try client.send(item.stream, try item.payload()) }
            let part1 = try client.collect(count: cut, settle: 0.1)
            #expect(daemon.stop()?.status == 0)
            client.close()
            // Part 2 is absorbed and answered, then lost to a kill -9 (no journal, no checkpoint since).
            (daemon, client) = try start("second")
            for item in items[cut..<cut2] { try client.send(item.stream, try item.payload()) }
            #expect(try client.collect(count: cut2 - cut, settle: 0.1).count == cut2 - cut)
            _ = daemon.stop(signal: SIGKILL)
            client.close()

            // The third daemon says where each stream stands: part 1's last seq (+1) and n, as part 1's last prediction.
            (daemon, client) = try start("third")
            let answers = try Self.askState(client, streams: streams)
            var resend: [Int] = []
            for (stream, _, _) in streams {
                let lastSeq = items[..<cut].last { $0.stream == stream }!.message.seq!
                let lastPrediction = try #require(part1.last { $0.stream == stream }.map { try WireDecoder.prediction($0.payload, stream: stream) })
                #expect(answers[stream]?.seq == lastSeq + 1, "\(stream): answer seq \(String(describing: answers[stream]?.seq)), part 1 ended at \(lastSeq)")
                #expect(answers[stream]?.prediction.count == lastPrediction.prediction.count, "\(stream): n")
                // The answer is the stream's prediction now: for a series of a model that does not learn, the last one
                // published (a labelled stream has no x to predict at; a learning model may have moved since).
                if stream == "series/s" || stream == "weather/s" {
                    #expect(answers[stream]?.prediction.mean.map(\.bitPattern) == lastPrediction.prediction.mean.map(\.bitPattern), "\(stream): mean")
                }
            }
            // The publisher resends every observation after the answered seq: predictions equal replay's of the whole input.
            for (index, item) in items.enumerated() where index >= cut && item.message.seq! >= answers[item.stream]!.seq! {
                resend.append(index)
                try client.send(item.stream, try item.payload())
            }
            #expect(resend == Array(cut..<items.count))
            let after = try client.collect(count: resend.count, settle: 0.1)
            Oracle.compare(received: after, expected: resend.map { expected[$0] }, encodings: encodings)
            #expect(daemon.stop()?.status == 0)
            client.close()
        }
    }
}
