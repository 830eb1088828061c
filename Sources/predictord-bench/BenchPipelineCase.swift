import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordService
import PredictordState
import Foundation

/// The daemon's per-message work without sockets (``MessagePipeline``: topic and binary v1 payload decoded, engine
/// stepped, prediction encoded), on `predictord-bench e2e`'s traffic over 1000 streams: rls lags 4 on series values, or forward
/// d=4 m=4 on symbols.
struct BenchPipelineCase {
    var name: String
    var costFactor = 1
    /// With the journal (as the poll loop does it with state.journal write or fsync): each message that reached the
    /// engine is recorded and its prediction held, and every `journalBatch` messages the batch is written (and
    /// fdatasynced with `sync`) to a segment in a temporary directory before the held predictions are released.
    var journal: (sync: Bool, batch: Int)? = nil
    var make: () throws -> (ModelSpec, [Observation])

    static var all: [BenchPipelineCase] { [
        BenchPipelineCase(name: "pipeline: binary rls lags=4, 1000 streams") {
            let params = try RLSParameters(layout: .autoregressive(lags: 4, bias: false), outputs: 1, lambda: 0.999, delta: 1e-6)
            var rng = BenchRandom(seed: 5)
            return (.rls(params), (0..<4096).map { _ in .series([rng.normal()]) })
        },
        BenchPipelineCase(name: "pipeline: binary forward d=4 m=4, 1000 streams") {
            let h = try BenchRandom.hmm(states: 4, symbols: 4, seed: 3)
            return (.forward(h), BenchRandom.symbols(h, count: 4096, seed: 4))
        },
        BenchPipelineCase(name: "pipeline+journal write (batches of 256): binary rls lags=4, 1000 streams", journal: (false, 256)) {
            let params = try RLSParameters(layout: .autoregressive(lags: 4, bias: false), outputs: 1, lambda: 0.999, delta: 1e-6)
            var rng = BenchRandom(seed: 5)
            return (.rls(params), (0..<4096).map { _ in .series([rng.normal()]) })
        },
        BenchPipelineCase(name: "pipeline+journal fsync (batches of 1024): binary rls lags=4, 1000 streams", journal: (true, 1024)) {
            let params = try RLSParameters(layout: .autoregressive(lags: 4, bias: false), outputs: 1, lambda: 0.999, delta: 1e-6)
            var rng = BenchRandom(seed: 5)
            return (.rls(params), (0..<4096).map { _ in .series([rng.normal()]) })
        },
    ] }

    func run(steps: Int) -> BenchResult {
        guard let (spec, observations) = try? make() else { fatalError("bench case \(name) has invalid parameters") }
        var engine = PredictionEngine(models: [ModelDefinition(name: "m", match: "", spec: spec)])
        var pipeline = MessagePipeline(maxMessageBytes: 65536)
        let streams = 1000
        let topics = (0..<streams).map { Array("b/\($0)".utf8) }
        let payloads: [[UInt8]] = observations.enumerated().map { i, observation in
            let message = InboundMessage(body: .observation(observation), ts: Double(i), encoding: .binary)
            return (try? WireEncoder.observation(message, encoding: .binary)) ?? []
        }
        var checksum = 0.0, i = 0, published = 0
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-bench-journal-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = journal.flatMap { j in
            try? JournalWriter(creating: .init(seq: 1, base: nil, previous: nil), in: JournalDirectory(directory: directory.path), sync: j.sync)
        }
        var batch = JournalBatch(), held: [UInt8] = [], heldCount = 0
        func step() {
            topics[i % streams].withUnsafeBytes { topic in
                payloads[i % payloads.count].withUnsafeBytes { body in
                    if case .publish = pipeline.handle(topic: topic, body: body, engine: &engine, now: 0) { published += 1 }
                    if let writer, pipeline.reachedEngine {
                        batch.append(topic: topic, body: body, now: 0)
                        held.append(contentsOf: topic)
                        held.append(contentsOf: pipeline.payload)
                        heldCount += 1
                        if heldCount == journal!.batch {
                            batch.seal()
                            batch.bytes.withUnsafeBytes { try? writer.append($0) }
                            batch.removeAll()
                            checksum += Double(held.count)
                            held.removeAll(keepingCapacity: true)
                            heldCount = 0
                        }
                    }
                }
            }
            i += 1
        }
        if journal != nil, writer == nil { fatalError("bench case \(name): cannot create a journal segment in \(directory.path)") }
        for _ in 0..<min(1000, steps) { step() }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<steps { step() }
        let c = (clock.now - start).components
        checksum += Double(published) + Double(pipeline.payload.count)
        return BenchResult(name: name, steps: steps, seconds: Double(c.seconds) + Double(c.attoseconds) * 1e-18, checksum: checksum)
    }
}
