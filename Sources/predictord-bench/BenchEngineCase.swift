import PredictorCore
import PredictorEngine
import PredictorWire

/// A model timed through the engine (what the daemon runs per message), mainly for `learn: true`: 64 interleaved
/// streams, so segments complete, the learner publishes and streams switch parameters within the measured steps.
struct BenchEngineCase {
    var name: String
    var costFactor: Int
    var make: () throws -> (ModelDefinition, [Observation])

    func run(steps: Int) -> BenchResult {
        guard let (model, inputs) = try? make() else { fatalError("bench case \(name) has invalid parameters") }
        var engine = PredictionEngine(models: [model])
        let streams = (0..<64).map { "s\($0)" }
        let messages = inputs.map { InboundMessage(body: .observation($0), encoding: .binary) }
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var checksum = 0.0, i = 0
        func step() {
            try? engine.process(stream: streams[i & 63], message: messages[i % messages.count], now: 0, into: &out)
            i += 1
        }
        for _ in 0..<min(1000, steps) { step() }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<steps {
            step()
            if i % messages.count == 0 { checksum += out.prediction.mean.first ?? 0 }
        }
        checksum += out.prediction.mean.first ?? 0
        let c = (clock.now - start).components
        return BenchResult(name: name, steps: steps, seconds: Double(c.seconds) + Double(c.attoseconds) * 1e-18, checksum: checksum)
    }

    /// Names start with "engine:" so `--only` of a predictor case never selects them too.
    static var all: [BenchEngineCase] {
        func hmm(_ kind: String, learning: LearningOptions) -> BenchEngineCase {
            let window = kind == "dual" ? " H=16" : ""
            let learned = !learning.enabled ? "fixed" : learning.segmentLength == 64 ? "learn" : "learn L=1e6"
            return BenchEngineCase(name: "engine: \(kind) d=4\(window) \(learned)", costFactor: kind == "dual" ? 16 : 1) {
                let h = try BenchRandom.hmm(states: 4, symbols: 4, seed: 3)
                let spec: ModelSpec = kind == "dual" ? .dual(try DualFilterParameters(hmm: h, window: 16)) : .forward(h)
                return (ModelDefinition(name: "m", match: "", spec: spec, learning: learning), BenchRandom.symbols(h, count: 4096, seed: 4))
            }
        }
        /// The Gaussian-emission twin of `hmm` (the core cases' `gaussianHMM` values).
        func gaussian(_ kind: String, learning: LearningOptions) -> BenchEngineCase {
            let window = kind == "dual" ? " H=16" : ""
            return BenchEngineCase(name: "engine: gaussian \(kind) d=4\(window) \(learning.enabled ? "learn" : "fixed")",
                                   costFactor: kind == "dual" ? 16 : 1) {
                let (h, values) = try BenchRandom.gaussianHMM(states: 4, count: 4096, seed: 5)
                let spec: ModelSpec = kind == "dual" ? .gaussianDual(try GaussianDualFilterParameters(hmm: h, window: 16)) : .gaussianForward(h)
                return (ModelDefinition(name: "m", match: "", spec: spec, learning: learning), values)
            }
        }
        func softmax(learning: LearningOptions) -> BenchEngineCase {
            BenchEngineCase(name: "engine: softmax W=16 p=4 \(learning.enabled ? "learn" : "β=1")", costFactor: 4) {
                let params = try SoftmaxParameters(layout: .explicit(dimension: 4), outputs: 1, beta: 1, window: 16, priorMean: [0])
                var rng = BenchRandom(seed: 2)
                let data = (0..<4096).map { _ -> Observation in
                    let x = (0..<4).map { _ in rng.normal() }
                    return .labelled(x: x, y: [x[0] + 0.1 * rng.normal()])
                }
                return (ModelDefinition(name: "m", match: "", spec: .softmax(params), learning: learning), data)
            }
        }
        /// The bundled `forecast` bank's shape (72 members, season 12) on a seasonal AR series.
        func auto() -> BenchEngineCase {
            BenchEngineCase(name: "engine: auto 72 members s=12", costFactor: 300) {
                var members: [ForecastParameters] = []
                for (s, sd, sq) in [(1, 0, 0), (12, 1, 0), (12, 1, 1)] {
                    for d in [0, 1] { for p in [1, 2, 3] { for q in [0, 1] { for beta in [0.98, 0.95] {
                        members.append(try ForecastParameters(
                            lags: p, movingAverage: q, seasonalMovingAverage: sq, difference: d, seasonalDifference: sd,
                            season: s, lambda: 1, varianceDiscount: beta))
                    } } } }
                }
                let spec = ModelSpec.auto(try ForecastBankParameters(members: members, forgetting: 1))
                var rng = BenchRandom(seed: 5)
                var y = 0.0
                let data = (0..<4096).map { t -> Observation in
                    y = 0.6 * y + rng.normal()
                    return .series([10 + 3 * Double(t % 12 < 6 ? 1 : -1) + y])
                }
                return (ModelDefinition(name: "m", match: "", spec: spec), data)
            }
        }
        return [
            auto(),
            hmm("forward", learning: .off),
            hmm("forward", learning: LearningOptions(enabled: true)),
            // Segments longer than any run: only the per-symbol part of learning (no E-step, no publication).
            hmm("forward", learning: LearningOptions(enabled: true, segmentLength: 1_000_000)),
            hmm("dual", learning: LearningOptions(enabled: true)),
            gaussian("forward", learning: .off),
            gaussian("forward", learning: LearningOptions(enabled: true)),
            gaussian("dual", learning: LearningOptions(enabled: true)),
            softmax(learning: .off),
            softmax(learning: LearningOptions(enabled: true)),
        ]
    }
}
