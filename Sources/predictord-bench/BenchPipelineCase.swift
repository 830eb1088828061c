import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordService

/// The daemon's per-message work without sockets (``MessagePipeline``: topic and binary v1 payload decoded, engine
/// stepped, prediction encoded), on `predictord-bench e2e`'s traffic over 1000 streams: rls lags 4 on series values, or forward
/// d=4 m=4 on symbols.
struct BenchPipelineCase {
    var name: String
    var costFactor = 1
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
