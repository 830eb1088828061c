import RealModule

/// Scaled forward–backward on one segment (the E-step of EM): smoothed posteriors γ_t and pairwise ξ_t of the
/// hidden states given the segment's symbols, with the segment's start measure as the prior of X_0.
///
/// α̂_t = P(X_t | z_0..z_t), c_t = P(z_t | z_0..z_{t−1}), β̂_t = P(z_{t+1}..z_{T−1} | X_t) / Π_{s>t} c_s, so
/// γ_t = α̂_t ⊙ β̂_t, ξ_t(x, y) = α̂_t(x) A(x, y) C(y, z_{t+1}) β̂_{t+1}(y) / c_{t+1}. O(T·d²) time, O(T·d) memory.
/// Built from symbols, or from likelihood vectors in place of the columns of C (Gaussian emissions).
public struct HMMSegmentPosterior: Sendable {
    /// Hidden states d.
    public let states: Int
    /// Segment length T ≥ 1.
    public let length: Int
    /// log P(z_0..z_{T−1}) under the prior and the parameters, Σ log c_t (nats).
    public let logLikelihood: Double
    /// α̂ (T×d), β̂ (T×d) and c (T).
    let filtered: [Double]
    let backward: [Double]
    let scale: [Double]
    /// The likelihood vectors ℓ_t(x) (T×d): C(x, z_t) for symbols, scaled Gaussian densities for real values.
    let likelihoods: [Double]
    let transition: [Double]
    /// The symbols and alphabet size m (empty and 0 for a posterior built from likelihood vectors).
    let symbols: [Int]
    let symbolCount: Int

    /// Nil when the prior has the wrong size, a negative or non-finite entry or no mass, the segment is empty, a
    /// symbol is outside 0..<m, or the parameters give the symbols probability 0.
    public init?(prior: [Double], symbols: [Int], parameters: HMMParameters) {
        let d = parameters.states, m = parameters.symbols, T = symbols.count
        guard T >= 1, symbols.allSatisfy({ $0 >= 0 && $0 < m }) else { return nil }
        var likelihoods = [Double](repeating: 0, count: T * d)
        for t in 0..<T { for x in 0..<d { likelihoods[t * d + x] = parameters.emission[x * m + symbols[t]] } }
        self.init(prior: prior, likelihoods: likelihoods, transition: parameters.transition, states: d,
                  symbols: symbols, symbolCount: m)
    }

    /// The same from likelihood vectors ℓ_t (T×d, any positive scale per t: the posteriors do not depend on it and
    /// `logLikelihood` is then Σ log of the scaled c_t). Nil on a bad prior or a segment of probability 0.
    init?(prior: [Double], likelihoods: [Double], transition A: [Double], states d: Int,
          symbols: [Int] = [], symbolCount: Int = 0) {
        let T = likelihoods.count / d
        guard T >= 1, likelihoods.count == T * d, prior.count == d else { return nil }
        var mass = 0.0
        for v in prior {
            guard v.isFinite, v >= 0 else { return nil }
            mass += v
        }
        guard mass > 0, mass.isFinite else { return nil }
        var alpha = [Double](repeating: 0, count: T * d)
        var c = [Double](repeating: 0, count: T)
        var predicted = prior.map { $0 / mass }
        var logL = 0.0
        for t in 0..<T {
            var p = 0.0
            for x in 0..<d {
                let v = predicted[x] * likelihoods[t * d + x]
                alpha[t * d + x] = v
                p += v
            }
            guard p > 0, p.isFinite else { return nil }
            let inv = 1 / p
            for x in 0..<d { alpha[t * d + x] *= inv }
            c[t] = p
            logL += Double.log(p)
            if t + 1 < T {
                for y in 0..<d { predicted[y] = 0 }
                for x in 0..<d {
                    let a = alpha[t * d + x]
                    for y in 0..<d { predicted[y] += a * A[x * d + y] }
                }
            }
        }
        var beta = [Double](repeating: 1, count: T * d)
        var t = T - 2
        while t >= 0 {
            let inv = 1 / c[t + 1]
            for x in 0..<d {
                var acc = 0.0
                for y in 0..<d { acc += A[x * d + y] * likelihoods[(t + 1) * d + y] * beta[(t + 1) * d + y] }
                beta[t * d + x] = acc * inv
            }
            t -= 1
        }
        states = d
        length = T
        logLikelihood = logL
        filtered = alpha
        backward = beta
        scale = c
        self.likelihoods = likelihoods
        transition = A
        self.symbols = symbols
        self.symbolCount = symbolCount
    }

    /// γ_t(x) = P(X_t = x | z_0..z_{T−1}) for t in 0..<T.
    public func smoothed(at t: Int) -> [Double] {
        precondition(t >= 0 && t < length, "t out of range")
        return (0..<states).map { filtered[t * states + $0] * backward[t * states + $0] }
    }

    /// ξ_t(x, y) = P(X_t = x, X_{t+1} = y | z_0..z_{T−1}) for t in 0..<T−1, d×d row-major.
    public func pairwise(at t: Int) -> [Double] {
        precondition(t >= 0 && t + 1 < length, "t out of range")
        var xi = [Double](repeating: 0, count: states * states)
        accumulatePairwise(at: t, into: &xi)
        return xi
    }

    /// xi += ξ_t (d×d), without allocating.
    func accumulatePairwise(at t: Int, into xi: inout [Double]) {
        let d = states
        let inv = 1 / scale[t + 1]
        let A = transition
        for y in 0..<d {
            let right = likelihoods[(t + 1) * d + y] * backward[(t + 1) * d + y] * inv
            for x in 0..<d { xi[x * d + y] += filtered[t * d + x] * A[x * d + y] * right }
        }
    }

    /// The segment's expected sufficient statistics: γ_0, Σ_t ξ_t and Σ_t γ_t(x)·1[z_t = z].
    public func statistics() -> HMMSufficientStatistics {
        let d = states, m = symbolCount
        var stats = HMMSufficientStatistics(states: d, symbols: m)
        for x in 0..<d { stats.initial[x] = filtered[x] * backward[x] }
        for t in 0..<length {
            let z = symbols[t]
            for x in 0..<d { stats.emission[x * m + z] += filtered[t * d + x] * backward[t * d + x] }
            if t + 1 < length { accumulatePairwise(at: t, into: &stats.transition) }
        }
        return stats
    }
}
