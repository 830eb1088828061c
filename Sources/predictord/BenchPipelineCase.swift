import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordService

/// The daemon's per-message work without sockets (``MessagePipeline``: topic and binary v1 payload decoded, engine
/// stepped, prediction encoded), on bench-e2e's traffic: rls lags 4 over 1000 streams, series observations.
struct BenchPipelineCase {
    var name = "pipeline: binary rls lags=4, 1000 streams"
    var costFactor = 1

    func run(steps: Int) -> BenchResult {
        guard let params = try? RLSParameters(layout: .autoregressive(lags: 4, bias: false), outputs: 1, lambda: 0.999, delta: 1e-6)
        else { fatalError("bench case \(name) has invalid parameters") }
        var engine = PredictionEngine(models: [ModelDefinition(name: "rls", match: "", spec: .rls(params))])
        var pipeline = MessagePipeline(maxMessageBytes: 65536)
        let streams = 1000
        let topics = (0..<streams).map { Array("b/\($0)".utf8) }
        var rng = BenchRandom(seed: 5)
        let payloads: [[UInt8]] = (0..<4096).map { i in
            let message = InboundMessage(body: .observation(.series([rng.normal()])), ts: Double(i), encoding: .binary)
            return (try? WireEncoder.observation(message, encoding: .binary)) ?? []
        }
        var checksum = 0.0, i = 0, published = 0
        func step() {
            topics[i % streams].withUnsafeBytes { topic in
                payloads[i % payloads.count].withUnsafeBytes { body in
                    if case .publish = pipeline.handle(topic: topic, body: body, engine: &engine, now: 0) { published += 1 }
                }
            }
            i += 1
        }
        for _ in 0..<min(1000, steps) { step() }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<steps { step() }
        let c = (clock.now - start).components
        checksum = Double(published) + Double(pipeline.payload.count)
        return BenchResult(name: name, steps: steps, seconds: Double(c.seconds) + Double(c.attoseconds) * 1e-18, checksum: checksum)
    }
}
