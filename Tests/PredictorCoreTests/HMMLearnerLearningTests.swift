import RealModule
import Testing
@testable import PredictorCore

/// Online EM across many interleaved contexts recovers a known HMM from a perturbed start: its per-token held-out
/// log-likelihood is within 1 % of the true model's, alongside a batch Baum–Welch run on the same data.
@Suite struct HMMLearnerLearningTests {
    /// The generating models: sticky transitions, well-separated emissions (d = 3, m = 4 or d = 2, m = 3).
    static func trueModel(states: Int) throws -> HMMParameters {
        if states == 2 {
            return try HMMParameters(states: 2, symbols: 3, transition: [0.92, 0.08, 0.12, 0.88],
                                     emission: [0.75, 0.20, 0.05, 0.10, 0.15, 0.75], initial: [0.3, 0.7])
        }
        return try HMMParameters(states: 3, symbols: 4,
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

    /// Textbook multi-sequence Baum–Welch: forward with per-step normalisation, backward with the same scales
    /// (plain loops over flat arrays, so the debug build stays fast).
    static func baumWelch(_ start: HMMParameters, _ data: [[Int]], iterations: Int) throws -> HMMParameters {
        let d = start.states, m = start.symbols
        var A = start.transition, C = start.emission, mu = start.initial
        for _ in 0..<iterations {
            var nA = [Double](repeating: 0, count: d * d), nC = [Double](repeating: 0, count: d * m)
            var nMu = [Double](repeating: 0, count: d)
            for z in data {
                let T = z.count
                var alpha = [Double](repeating: 0, count: T * d), scale = [Double](repeating: 0, count: T)
                var pred = mu
                for t in 0..<T {
                    var c = 0.0
                    for x in 0..<d {
                        alpha[t * d + x] = pred[x] * C[x * m + z[t]]
                        c += alpha[t * d + x]
                    }
                    for x in 0..<d { alpha[t * d + x] /= c }
                    scale[t] = c
                    for y in 0..<d {
                        var acc = 0.0
                        for x in 0..<d { acc += alpha[t * d + x] * A[x * d + y] }
                        pred[y] = acc
                    }
                }
                var beta = [Double](repeating: 1, count: d), e = beta
                for t in stride(from: T - 1, through: 0, by: -1) {
                    for x in 0..<d { nC[x * m + z[t]] += alpha[t * d + x] * beta[x] }
                    guard t > 0 else {
                        for x in 0..<d { nMu[x] += alpha[x] * beta[x] }
                        break
                    }
                    for y in 0..<d { e[y] = C[y * m + z[t]] * beta[y] / scale[t] }
                    for x in 0..<d {
                        var acc = 0.0
                        for y in 0..<d {
                            nA[x * d + y] += alpha[(t - 1) * d + x] * A[x * d + y] * e[y]
                            acc += A[x * d + y] * e[y]
                        }
                        beta[x] = acc
                    }
                }
            }
            func rows(_ v: [Double], _ n: Int) -> [Double] {
                var out = v
                for r in stride(from: 0, to: v.count, by: n) {
                    var s = 0.0
                    for j in r..<(r + n) { s += v[j] }
                    for j in r..<(r + n) { out[j] = v[j] / s }
                }
                return out
            }
            A = rows(nA, d)
            C = rows(nC, m)
            mu = rows(nMu, d)
        }
        return try HMMParameters(states: d, symbols: m, transition: A, emission: C, initial: mu)
    }

    /// `concurrent` contexts run at a time (200 = all in lockstep, the hardest case: the first 200 segments are all
    /// smoothed by early parameters).
    @Test(arguments: [(3, 50), (2, 200)])
    func onlineEMReachesTheTrueLikelihood(states: Int, concurrent: Int) throws {
        let truth = try Self.trueModel(states: states)
        let start = try Self.perturbed(truth)
        var rng = HMMTestRNG(seed: 2026)
        let training = (0..<200).map { _ in HMMTestSupport.sample(truth, count: 500, rng: &rng) }
        let heldOut = (0..<40).map { _ in HMMTestSupport.sample(truth, count: 500, rng: &rng) }

        // Contexts run interleaved, `concurrent` at a time, one symbol each per round; each context's forward filter
        // picks up the learner's current parameters at its segment boundaries; every finished segment is absorbed at once.
        let clock = ContinuousClock()
        let began = clock.now
        var learner = try HMMLearner(initial: start)
        var current = try learner.parameters()
        var prediction = Prediction()
        for wave in 0..<(200 / concurrent) {
            let ids = Array((wave * concurrent)..<(wave * concurrent + concurrent))
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
        print("HMM learner d=\(states) m=\(truth.symbols) concurrent=\(concurrent) held-out per-token LL: "
              + "true \(llTrue), online EM \(llOnline), Baum–Welch(10) \(llBatch), "
              + "perturbed start \(llStart); online \(onlineTime), batch \(batchTime); "
              + "max |Δ| from start \(HMMLearner.materialChange(from: start, to: current))")
        #expect(abs(llOnline - llTrue) <= 0.01 * abs(llTrue), "online \(llOnline) vs true \(llTrue)")
        #expect(abs(llBatch - llTrue) <= 0.01 * abs(llTrue), "Baum–Welch \(llBatch) vs true \(llTrue)")
        #expect(llStart < llTrue - 0.01 * abs(llTrue), "the perturbed start must be clearly worse: \(llStart)")
    }
}
