import Benchmark
import Foundation
import PredictorCore
import PredictordTestSupport

/// The core cases of `predictord-bench core` (same shapes, same seeded inputs) as package-benchmark benchmarks,
/// so a regression is caught against the checked-in thresholds (Thresholds/): the allocation count per 1000 steps
/// must stay 0 (the per-step path does not allocate), the time may not grow past the tolerance below. Names have
/// no spaces: `thresholds update` writes `Target.name.p90.json` with spaces made `_`, `thresholds check` reads the
/// name as it is.
let benchmarks: @Sendable () -> Void = {
    // Time on a shared 2-core VM moves by ±50 % between runs (docs/performance.md): only a doubling is a regression.
    // Allocations are deterministic: any allocation in the measured steps is one.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 1_000,
        thresholds: [
            .wallClock: .init(relative: [.p90: 100.0], absolute: [:]),
            .mallocCountTotal: .init(relative: [.p90: 0.0], absolute: [.p90: 0]),
        ]
    )

    Benchmark("rls_p=4") { benchmark in
        var predictor = RLSPredictor(parameters: try! RLSParameters(
            layout: .explicit(dimension: 4), outputs: 1, lambda: 0.999, delta: 1e-3, priorMean: [0, 0, 0, 0]))
        var rng = Inputs(seed: 1)
        let inputs = (0..<4096).map { _ -> Observation in
            let x = (0..<4).map { _ in rng.normal() }
            return .labelled(x: x, y: [x.reduce(0, +) + 0.1 * rng.normal()])
        }
        run(&predictor, inputs, benchmark)
    }

    Benchmark("softmax_p=4_W=16") { benchmark in
        var predictor = SoftmaxPredictor(parameters: try! SoftmaxParameters(
            layout: .explicit(dimension: 4), outputs: 1, beta: 1, window: 16, priorMean: [0]))
        var rng = Inputs(seed: 2)
        let inputs = (0..<4096).map { _ -> Observation in
            let x = (0..<4).map { _ in rng.normal() }
            return .labelled(x: x, y: [x[0] + 0.1 * rng.normal()])
        }
        run(&predictor, inputs, benchmark)
    }

    Benchmark("forward_d=4_m=4") { benchmark in
        let hmm = Inputs.hmm(states: 4, symbols: 4, seed: 3)
        var predictor = ForwardFilter(parameters: hmm)
        run(&predictor, Inputs.symbols(hmm, count: 4096, seed: 4), benchmark)
    }

    Benchmark("dual_d=4_m=4_H=16") { benchmark in
        let hmm = Inputs.hmm(states: 4, symbols: 4, seed: 3)
        var predictor = DualFilter(parameters: try! DualFilterParameters(hmm: hmm, window: 16))
        run(&predictor, Inputs.symbols(hmm, count: 4096, seed: 4), benchmark)
    }
}

/// `benchmark.scaledIterations` observe calls over `inputs` (built before the measurement starts).
func run<P: OnlinePredictor>(_ predictor: inout P, _ inputs: [Observation], _ benchmark: Benchmark) {
    var prediction = Prediction()
    for i in 0..<1000 { try? predictor.observe(inputs[i % inputs.count], into: &prediction) }  // warm buffers
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations { try? predictor.observe(inputs[i % inputs.count], into: &prediction) }
    benchmark.stopMeasurement()
    blackHole(prediction)
}

/// The bench's inputs: SplitMix64 with Box–Muller normals and random positive HMMs (as `predictord-bench core`).
struct Inputs {
    var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func uniform() -> Double { base.unit() }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    static func hmm(states d: Int, symbols m: Int, seed: UInt64) -> HMMParameters {
        var rng = Inputs(seed: seed)
        func row(_ n: Int) -> [Double] {
            let r = (0..<n).map { _ in 0.05 + rng.uniform() }
            let s = r.reduce(0, +)
            return r.map { $0 / s }
        }
        return try! HMMParameters(states: d, symbols: m, transition: (0..<d).flatMap { _ in row(d) },
                                  emission: (0..<d).flatMap { _ in row(m) }, initial: row(d), values: (0..<m).map(Double.init))
    }

    static func symbols(_ h: HMMParameters, count: Int, seed: UInt64) -> [Observation] {
        var rng = Inputs(seed: seed)
        func sample(_ probs: ArraySlice<Double>) -> Int {
            var u = rng.uniform()
            for (i, p) in zip(probs.indices, probs) { u -= p; if u <= 0 { return i - probs.startIndex } }
            return probs.count - 1
        }
        var x = sample(h.initial[...])
        return (0..<count).map { _ in
            let z = sample(h.emission[(x * h.symbols)..<((x + 1) * h.symbols)])
            x = sample(h.transition[(x * h.states)..<((x + 1) * h.states)])
            return .symbol(z)
        }
    }
}
