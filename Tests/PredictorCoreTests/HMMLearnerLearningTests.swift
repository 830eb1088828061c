import RealModule
import Testing
@testable import PredictorCore

/// Online EM across many interleaved contexts recovers a known HMM from a perturbed start: its per-token held-out
/// log-likelihood is within 1 % of the true model's, alongside a batch Baum–Welch run on the same data.
@Suite struct HMMLearnerLearningTests {
    /// The generating model: sticky transitions, well-separated emissions.
    static func trueModel() throws -> HMMParameters {
        try HMMParameters(states: 3, symbols: 4,
                          transition: [0.90, 0.06, 0.04,
                                       0.05, 0.90, 0.05,
                                       0.08, 0.07, 0.85],
                          emission: [0.70, 0.20, 0.05, 0.05,
                                     0.05, 0.15, 0.75, 0.05,
                                     0.05, 0.05, 0.15, 0.75],
                          initial: [0.6, 0.3, 0.1])
    }

    /// Every row mixed half and half with the uniform row.
    static func perturbed(_ p: HMMParameters) throws -> HMMParameters {
        func mix(_ v: [Double], _ n: Int) -> [Double] { v.map { 0.5 * $0 + 0.5 / Double(n) } }
        return try HMMParameters(states: p.states, symbols: p.symbols, transition: mix(p.transition, p.states),
                                 emission: mix(p.emission, p.symbols), initial: mix(p.initial, p.states))
    }

    /// Scaled forward algorithm: Σ_t log P(z_t | z_<t), written independently of the package.
    static func logLikelihood(_ p: HMMParameters, _ z: [Int]) -> Double {
        let d = p.states, m = p.symbols
        var pi = p.initial, total = 0.0
        for s in z {
            var w = (0..<d).map { pi[$0] * p.emission[$0 * m + s] }
            let c = w.reduce(0, +)
            total += Double.log(c)
            w = w.map { $0 / c }
            pi = (0..<d).map { y in (0..<d).reduce(0.0) { $0 + w[$1] * p.transition[$1 * d + y] } }
        }
        return total
    }

    static func perToken(_ p: HMMParameters, _ sequences: [[Int]]) -> Double {
        let n = sequences.reduce(0) { $0 + $1.count }
        return sequences.reduce(0.0) { $0 + logLikelihood(p, $1) } / Double(n)
    }

    /// Textbook multi-sequence Baum–Welch: forward with per-step normalisation, backward with the same scales.
    static func baumWelch(_ start: HMMParameters, _ data: [[Int]], iterations: Int) throws -> HMMParameters {
        let d = start.states, m = start.symbols
        var p = start
        for _ in 0..<iterations {
            var nA = [Double](repeating: 0, count: d * d), nC = [Double](repeating: 0, count: d * m)
            var nMu = [Double](repeating: 0, count: d)
            for z in data {
                let T = z.count
                var alpha = [[Double]](), scale = [Double]()
                var pred = p.initial
                for t in 0..<T {
                    var a = (0..<d).map { pred[$0] * p.emission[$0 * m + z[t]] }
                    let c = a.reduce(0, +)
                    a = a.map { $0 / c }
                    alpha.append(a)
                    scale.append(c)
                    pred = (0..<d).map { y in (0..<d).reduce(0.0) { $0 + a[$1] * p.transition[$1 * d + y] } }
                }
                var beta = [Double](repeating: 1, count: d)
                for t in stride(from: T - 1, through: 0, by: -1) {
                    for x in 0..<d { nC[x * m + z[t]] += alpha[t][x] * beta[x] }
                    if t == 0 { for x in 0..<d { nMu[x] += alpha[0][x] * beta[x] } }
                    if t > 0 {
                        let e = (0..<d).map { p.emission[$0 * m + z[t]] * beta[$0] / scale[t] }
                        for x in 0..<d {
                            for y in 0..<d { nA[x * d + y] += alpha[t - 1][x] * p.transition[x * d + y] * e[y] }
                        }
                        beta = (0..<d).map { x in (0..<d).reduce(0.0) { $0 + p.transition[x * d + $1] * e[$1] } }
                    }
                }
            }
            func rows(_ v: [Double], _ n: Int) -> [Double] {
                stride(from: 0, to: v.count, by: n).flatMap { r -> [Double] in
                    let s = v[r..<(r + n)].reduce(0, +)
                    return v[r..<(r + n)].map { $0 / s }
                }
            }
            p = try HMMParameters(states: d, symbols: m, transition: rows(nA, d), emission: rows(nC, m),
                                  initial: rows(nMu, d))
        }
        return p
    }

    @Test func onlineEMReachesTheTrueLikelihood() throws {
        let truth = try Self.trueModel()
        let start = try Self.perturbed(truth)
        var rng = HMMTestRNG(seed: 2026)
        let training = (0..<200).map { _ in HMMTestSupport.sample(truth, count: 500, rng: &rng) }
        let heldOut = (0..<40).map { _ in HMMTestSupport.sample(truth, count: 500, rng: &rng) }

        // Contexts run interleaved, 50 at a time, one symbol each per round; each context's forward filter picks up
        // the learner's current parameters at its segment boundaries, and every finished segment is absorbed at once.
        let clock = ContinuousClock()
        let began = clock.now
        var learner = try HMMLearner(initial: start)
        var current = try learner.parameters()
        var prediction = Prediction()
        for wave in 0..<4 {
            let ids = Array((wave * 50)..<(wave * 50 + 50))
            var filters = ids.map { _ in ForwardFilter(parameters: current) }
            var collectors = try ids.map { _ in try HMMSegmentCollector(length: 64, start: current.initial) }
            for t in 0..<500 {
                for (k, id) in ids.enumerated() {
                    let z = training[id][t]
                    try filters[k].observe(.symbol(z), into: &prediction)
                    if let segment = collectors[k].append(z, next: filters[k].state.predictive) {
                        let absorbed = learner.absorb(segment, using: current)
                        #expect(absorbed)
                        current = try learner.parameters()
                        filters[k] = try ForwardFilter(parameters: current, state: filters[k].state)
                    }
                }
            }
            for k in ids.indices {
                if let segment = collectors[k].pending {
                    let absorbed = learner.absorb(segment, using: current)
                    #expect(absorbed)
                    current = try learner.parameters()
                }
            }
        }
        let onlineTime = clock.now - began
        #expect(learner.contexts == 200)
        #expect(learner.contributions == 200 * 8)

        let batchBegan = clock.now
        let batch = try Self.baumWelch(start, training, iterations: 10)
        let batchTime = clock.now - batchBegan

        let llTrue = Self.perToken(truth, heldOut)
        let llOnline = Self.perToken(current, heldOut)
        let llBatch = Self.perToken(batch, heldOut)
        let llStart = Self.perToken(start, heldOut)
        print("HMM learner held-out per-token LL: true \(llTrue), online EM \(llOnline), Baum–Welch(10) \(llBatch), "
              + "perturbed start \(llStart); online \(onlineTime), batch \(batchTime); "
              + "max |Δ| from start \(HMMLearner.materialChange(from: start, to: current))")
        #expect(abs(llOnline - llTrue) <= 0.01 * abs(llTrue), "online \(llOnline) vs true \(llTrue)")
        #expect(abs(llBatch - llTrue) <= 0.01 * abs(llTrue), "Baum–Welch \(llBatch) vs true \(llTrue)")
        #expect(llStart < llTrue - 0.01 * abs(llTrue), "the perturbed start must be clearly worse: \(llStart)")
    }
}
