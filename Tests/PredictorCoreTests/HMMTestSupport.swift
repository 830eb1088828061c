import RealModule
@testable import PredictorCore
import PredictordTestSupport

/// SplitMix64: a tiny seeded generator so every HMM test is reproducible.
struct HMMTestRNG {
    private var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A probability vector with entries bounded away from 0 (so test sequences stay well conditioned).
    mutating func distribution(_ n: Int, floor: Double = 0.05) -> [Double] {
        let raw = (0..<n).map { _ in floor + uniform() }
        let s = raw.reduce(0, +)
        return raw.map { $0 / s }
    }

    /// A random d×m row-stochastic matrix, row-major.
    mutating func stochastic(rows: Int, columns: Int, floor: Double = 0.05) -> [Double] {
        (0..<rows).flatMap { _ in distribution(columns, floor: floor) }
    }

    /// Index in 0..<count drawn from the probability vector p[offset..<offset+count].
    mutating func draw(_ p: [Double], offset: Int = 0, count: Int? = nil) -> Int {
        let n = count ?? p.count - offset
        var u = uniform()
        for i in 0..<n {
            u -= p[offset + i]
            if u < 0 { return i }
        }
        return n - 1
    }
}

/// Test-side helpers: random models, sampling, and the independent forward references.
enum HMMTestSupport {
    static func randomHMM(states d: Int, symbols m: Int, rng: inout HMMTestRNG) -> HMMParameters {
        let values = (0..<m).map { _ in rng.uniform() * 4 - 2 }
        return try! HMMParameters(states: d, symbols: m, transition: rng.stochastic(rows: d, columns: d),
                                  emission: rng.stochastic(rows: d, columns: m), initial: rng.distribution(d),
                                  values: values)
    }

    /// Samples z_0..z_{T−1} from the HMM itself.
    static func sample(_ hmm: HMMParameters, count: Int, rng: inout HMMTestRNG) -> [Int] {
        let d = hmm.states, m = hmm.symbols
        var x = rng.draw(hmm.initial)
        var out = [Int]()
        out.reserveCapacity(count)
        for _ in 0..<count {
            out.append(rng.draw(hmm.emission, offset: x * m, count: m))
            x = rng.draw(hmm.transition, offset: x * d, count: d)
        }
        return out
    }

    /// Textbook forward recursion on plain arrays: π_0..π_T with π_{t+1}(y) = Σ_x π_t(x) C(x,z_t) A(x,y) / π_t(c_t).
    static func referenceForward(_ hmm: HMMParameters, _ symbols: [Int]) -> [[Double]] {
        let d = hmm.states, m = hmm.symbols
        var pi = hmm.initial
        var out = [pi]
        for z in symbols {
            var p = 0.0
            for x in 0..<d { p += pi[x] * hmm.emission[x * m + z] }
            var next = [Double](repeating: 0, count: d)
            for y in 0..<d {
                for x in 0..<d { next[y] += pi[x] * hmm.emission[x * m + z] * hmm.transition[x * d + y] }
                next[y] /= p
            }
            pi = next
            out.append(pi)
        }
        return out
    }

    /// Unnormalised forward recursion in log space: log α_{t+1}(y) = logsumexp_x(log α_t(x) + log C(x,z_t) + log A(x,y)),
    /// α_0 = μ; returns log Σ_x α_T(x) = log P(z_0..z_{T−1}).
    static func logSpaceLogLikelihood(_ hmm: HMMParameters, _ symbols: some Sequence<Int>) -> Double {
        let d = hmm.states, m = hmm.symbols
        let logA = hmm.transition.map { Double.log($0) }
        let logC = hmm.emission.map { Double.log($0) }
        var logAlpha = hmm.initial.map { Double.log($0) }
        var next = logAlpha
        var terms = [Double](repeating: 0, count: d)
        for z in symbols {
            for y in 0..<d {
                for x in 0..<d { terms[x] = logAlpha[x] + logC[x * m + z] + logA[x * d + y] }
                next[y] = logSumExp(terms)
            }
            swap(&logAlpha, &next)
        }
        return logSumExp(logAlpha)
    }

    static func logSumExp(_ v: [Double]) -> Double {
        let top = v.max()!
        var s = 0.0
        for x in v { s += Double.exp(x - top) }
        return top + Double.log(s)
    }

    static func maxAbsDiff(_ a: [[Double]], _ b: [[Double]]) -> Double {
        precondition(a.count == b.count)
        var worst = 0.0
        for (u, v) in zip(a, b) {
            precondition(u.count == v.count)
            for (x, y) in zip(u, v) { worst = max(worst, abs(x - y).isNaN ? .infinity : abs(x - y)) }
        }
        return worst
    }

    static func encode(_ value: some BinaryCodable) -> [UInt8] {
        var w = ByteWriter()
        value.encode(to: &w)
        return w.bytes
    }
}
