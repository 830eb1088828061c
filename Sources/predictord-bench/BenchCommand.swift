import Foundation
import ArgumentParser
import PredictorCore
import PredictorEngine
import PredictordTestSupport

/// `predictord-bench core`: per-step throughput of each model's core, measured in one run so figures compare as ratios.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Measure steps/s and ns/step of every model (release build: swift run -c release predictord-bench core)."
    )

    @Option(help: "Steps per measurement (more = steadier figures).")
    var steps: Int = 2_000_000

    @Option(help: "Only run cases whose name contains this text (e.g. rls, dual).")
    var only: String?

    @Flag(help: "Print the inline sizes (MemoryLayout stride) of a context and its predictors instead.")
    var sizes = false

    @Flag(help: "Call the concrete predictor directly instead of through AnyPredictor (the daemon's path), to show the dispatch cost.")
    var direct = false

    func run() throws {
        if sizes {
            func line(_ name: String, _ stride: Int) { print("\(name.padding(28)) \(String(stride).leftPadding(5)) bytes") }
            line("StreamContext", MemoryLayout<StreamContext>.stride)
            line("AnyPredictor", MemoryLayout<AnyPredictor>.stride)
            line("RLSPredictor", MemoryLayout<RLSPredictor>.stride)
            line("RLSState", MemoryLayout<RLSState>.stride)
            line("RLSParameters", MemoryLayout<RLSParameters>.stride)
            line("SoftmaxPredictor", MemoryLayout<SoftmaxPredictor>.stride)
            line("ForwardFilter", MemoryLayout<ForwardFilter>.stride)
            line("DualFilter", MemoryLayout<DualFilter>.stride)
            line("String (dictionary key)", MemoryLayout<String>.stride)
            return
        }
        var results: [BenchResult] = []
        for benchCase in BenchCase.all where only.map({ benchCase.name.contains($0) }) ?? true {
            let result = benchCase.run(steps: max(1, steps / benchCase.costFactor), direct: direct)
            results.append(result)
            print(result.line)
        }
        for engineCase in BenchEngineCase.all where only.map({ engineCase.name.contains($0) }) ?? true {
            let result = engineCase.run(steps: max(1, steps / engineCase.costFactor))
            results.append(result)
            print(result.line)
        }
        for pipelineCase in BenchPipelineCase.all where only.map({ pipelineCase.name.contains($0) }) ?? true {
            let result = pipelineCase.run(steps: max(1, steps / pipelineCase.costFactor))
            results.append(result)
            print(result.line)
        }
        if results.isEmpty { throw ValidationError("no bench case matches --only \(only ?? "")") }
    }
}

/// One measured case: name, steps, elapsed time.
struct BenchResult {
    var name: String
    var steps: Int
    var seconds: Double
    var checksum: Double

    var line: String {
        let perSecond = Double(steps) / seconds
        let ns = seconds * 1e9 / Double(steps)
        return "\(name.padding(28)) \(format(perSecond / 1e6, 2).leftPadding(9)) M steps/s \(format(ns, 1).leftPadding(9)) ns/step   (\(steps) steps, checksum \(format(checksum, 3)))"
    }
}

/// A model configuration to time: builds the predictor and its input once, then runs `observe` in a loop.
struct BenchCase {
    var name: String
    /// Divides the step count for slow cases so every case takes a similar time.
    var costFactor: Int
    var make: () throws -> (AnyPredictor, [Observation])

    func run(steps: Int, direct: Bool = false) -> BenchResult {
        guard let made = try? make() else { fatalError("bench case \(name) has invalid parameters") }
        if direct {
            switch made.0 {
            case let .rls(b): return runDirect(b.value, inputs: made.1, steps: steps)
            case let .softmax(b): return runDirect(b.value, inputs: made.1, steps: steps)
            case let .forward(b): return runDirect(b.value, inputs: made.1, steps: steps)
            case let .dual(b): return runDirect(b.value, inputs: made.1, steps: steps)
            case let .forecast(b): return runDirect(b.value, inputs: made.1, steps: steps)
            case let .auto(b): return runDirect(b.value, inputs: made.1, steps: steps)
            case let .gaussianForward(b): return runDirect(b.value, inputs: made.1, steps: steps)
            case let .gaussianDual(b): return runDirect(b.value, inputs: made.1, steps: steps)
            }
        }
        return timed(ViaAnyPredictor(predictor: made.0), inputs: made.1, steps: steps, label: name)
    }

    /// The same loop on the concrete predictor type (no AnyPredictor enum dispatch).
    private func runDirect<P: OnlinePredictor>(_ made: P, inputs: [Observation], steps: Int) -> BenchResult {
        timed(Direct(predictor: made), inputs: inputs, steps: steps, label: name + " (direct)")
    }

    /// Warms up, then times `steps` observations through `stepper` (specialised per stepper type, no dispatch).
    private func timed<S: BenchStepper>(_ stepper: S, inputs: [Observation], steps: Int, label: String) -> BenchResult {
        var stepper = stepper
        var inputs = inputs
        var prediction = Prediction()
        var checksum = 0.0
        // Warm up buffers so the timed loop measures steady state.
        for i in 0..<min(1000, steps) { stepper.step(inputs[i % inputs.count], into: &prediction) }
        let clock = ContinuousClock()
        let start = clock.now
        // Each observation is moved out of the array and back (bitwise, no retain/release): passing `inputs[i]`
        // to the opaque `observe` copied it, i.e. retained and released its arrays on every step.
        inputs.withUnsafeMutableBufferPointer { inputs in
            let base = inputs.baseAddress!
            var i = 0
            for _ in 0..<steps {
                let observation = (base + i).move()
                stepper.step(observation, into: &prediction)
                (base + i).initialize(to: consume observation)
                i += 1
                if i == inputs.count { i = 0; checksum += prediction.mean[0] }
            }
        }
        let elapsed = clock.now - start
        checksum += prediction.mean.first ?? 0
        let c = elapsed.components
        return BenchResult(name: label, steps: steps, seconds: Double(c.seconds) + Double(c.attoseconds) * 1e-18, checksum: checksum)
    }

    static var all: [BenchCase] {
        var cases: [BenchCase] = []
        for p in [4, 16] {
            cases.append(BenchCase(name: "rls p=\(p)", costFactor: p / 4 * p / 4) {
                let params = try RLSParameters(layout: .explicit(dimension: p), outputs: 1, lambda: 0.999, delta: 1e-3,
                                               priorMean: [Double](repeating: 0, count: p))
                var rng = BenchRandom(seed: 1)
                let data = (0..<4096).map { _ -> Observation in
                    let x = (0..<p).map { _ in rng.normal() }
                    return .labelled(x: x, y: [x.reduce(0, +) + 0.1 * rng.normal()])
                }
                return (.rls(RLSPredictor(parameters: params)), data)
            })
        }
        for p in [4, 16] {
            for w in [16, 64] {
                cases.append(BenchCase(name: "softmax p=\(p) W=\(w)", costFactor: p * w / 16) {
                    let params = try SoftmaxParameters(layout: .explicit(dimension: p), outputs: 1, beta: 1, window: w, priorMean: [0])
                    var rng = BenchRandom(seed: 2)
                    let data = (0..<4096).map { _ -> Observation in
                        let x = (0..<p).map { _ in rng.normal() }
                        return .labelled(x: x, y: [x[0] + 0.1 * rng.normal()])
                    }
                    return (.softmax(SoftmaxPredictor(parameters: params)), data)
                })
            }
        }
        for d in [4, 16] {
            cases.append(BenchCase(name: "forward d=\(d) m=4", costFactor: d * d / 16) {
                let hmm = try BenchRandom.hmm(states: d, symbols: 4, seed: 3)
                return (.forward(ForwardFilter(parameters: hmm)), BenchRandom.symbols(hmm, count: 4096, seed: 4))
            })
            for h in [16, 64] {
                cases.append(BenchCase(name: "dual d=\(d) m=4 H=\(h)", costFactor: d * d * h / 4) {
                    let hmm = try BenchRandom.hmm(states: d, symbols: 4, seed: 3)
                    let params = try DualFilterParameters(hmm: hmm, window: h)
                    return (.dual(DualFilter(parameters: params)), BenchRandom.symbols(hmm, count: 4096, seed: 4))
                })
            }
        }
        // Gaussian emissions (issue-11 targets: forward d=4 ≥ 5 M steps/s, dual d=4 H=16 ≥ 1.5 M steps/s).
        for d in [4, 16] {
            cases.append(BenchCase(name: "gaussian forward d=\(d)", costFactor: d * d / 16) {
                let (hmm, values) = try BenchRandom.gaussianHMM(states: d, count: 4096, seed: 5)
                return (.gaussianForward(GaussianForwardFilter(parameters: hmm)), values)
            })
            cases.append(BenchCase(name: "gaussian dual d=\(d) H=16", costFactor: d * d * 4) {
                let (hmm, values) = try BenchRandom.gaussianHMM(states: d, count: 4096, seed: 5)
                let params = try GaussianDualFilterParameters(hmm: hmm, window: 16)
                return (.gaussianDual(GaussianDualFilter(parameters: params)), values)
            })
        }
        return cases
    }
}

/// The tests' SplitMix64 (PredictordTestSupport) with Box–Muller normals: reproducible bench inputs.
struct BenchRandom {
    var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * u.logApprox).squareRoot() * cosApprox(2 * .pi * v)
    }

    /// A random HMM with strictly positive entries.
    static func hmm(states d: Int, symbols m: Int, seed: UInt64) throws -> HMMParameters {
        var rng = BenchRandom(seed: seed)
        func row(_ n: Int) -> [Double] {
            let r = (0..<n).map { _ in 0.05 + rng.uniform() }
            let s = r.reduce(0, +)
            return r.map { $0 / s }
        }
        return try HMMParameters(states: d, symbols: m, transition: (0..<d).flatMap { _ in row(d) },
                                 emission: (0..<d).flatMap { _ in row(m) }, initial: row(d), values: (0..<m).map(Double.init))
    }

    /// A random Gaussian-emission HMM (sticky rows, means 0, 1, …, unit variances) and values sampled from it.
    static func gaussianHMM(states d: Int, count: Int, seed: UInt64) throws -> (GaussianHMMParameters, [Observation]) {
        var rng = BenchRandom(seed: seed)
        let a = (0..<d).flatMap { x in (0..<d).map { y in x == y ? 0.9 : 0.1 / Double(d - 1) } }
        let hmm = try GaussianHMMParameters(transition: a, initial: [Double](repeating: 1 / Double(d), count: d),
                                            means: (0..<d).map(Double.init), variances: [Double](repeating: 1, count: d))
        var x = 0
        let values = (0..<count).map { _ -> Observation in
            if rng.uniform() < 0.1 { x = Int(rng.next() % UInt64(d)) }
            return .series([Double(x) + rng.normal()])
        }
        return (hmm, values)
    }

    /// Symbols sampled from the HMM.
    static func symbols(_ h: HMMParameters, count: Int, seed: UInt64) -> [Observation] {
        var rng = BenchRandom(seed: seed)
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

extension Double {
    /// Natural log via the standard library's `log` spelled without Foundation.
    var logApprox: Double { Foundation.log(self) }
}

private func cosApprox(_ x: Double) -> Double { Foundation.cos(x) }

/// The middle value (mean of the two middle ones for an even count).
func benchMedian(_ values: [Double]) -> Double {
    let sorted = values.sorted(), n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// The mean of independent `values` with its 95 % Student-t interval; nil with fewer than two values.
func benchMeanInterval(_ values: [Double]) -> (mean: Double, lower: Double, upper: Double)? {
    guard values.count >= 2 else { return nil }
    let n = Double(values.count), mean = values.reduce(0, +) / n
    let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
    let half = StudentT.quantile(probability: 0.975, normalQuantile: StudentT.normalQuantile(0.975), dof: n - 1) * sd / n.squareRoot()
    return (mean, mean - half, mean + half)
}

func format(_ x: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let v = (x * scale).rounded() / scale
    return "\(v)"
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// One observe call of the bench loop: through `AnyPredictor` (the daemon's path) or on a concrete predictor.
protocol BenchStepper {
    mutating func step(_ observation: Observation, into prediction: inout Prediction)
}

struct ViaAnyPredictor: BenchStepper {
    var predictor: AnyPredictor
    mutating func step(_ observation: Observation, into prediction: inout Prediction) {
        try? predictor.observe(observation, into: &prediction)
    }
}

struct Direct<P: OnlinePredictor>: BenchStepper {
    var predictor: P
    mutating func step(_ observation: Observation, into prediction: inout Prediction) {
        try? predictor.observe(observation, into: &prediction)
    }
}
