import RealModule

/// Slow memory of a hidden Markov model with Gaussian emissions: transition A, prior μ, and per state x a mean mₓ and
/// variance vₓ of the real observation y (`means`, `variances` in place of `symbols`, `emission`).
///
/// The likelihood vector of an observation is cₜ(x) = N(yₜ; mₓ, vₓ); ``scaledLikelihood(_:scale:into:)`` returns it
/// times a positive constant that keeps it in a safe floating-point range (why that changes nothing: the filters).
public struct GaussianHMMParameters: Sendable, Equatable, BinaryCodable {
    public let states: Int
    /// A(x, y) = P(X_{t+1} = y | X_t = x), d×d row-major; every row sums to 1.
    public let transition: [Double]
    /// μ(x) = P(X_0 = x).
    public let initial: [Double]
    /// mₓ and vₓ > 0: the observation law N(mₓ, vₓ) in state x.
    public let means: [Double]
    public let variances: [Double]

    /// Derived (not encoded): −½ log(2π vₓ) and 1/(2vₓ).
    let logNormaliser: [Double]
    let halfPrecision: [Double]

    public init(transition: [Double], initial: [Double], means: [Double], variances: [Double]) throws(ParameterError) {
        let d = means.count
        guard d >= 1, d <= HMMParameters.maxStates else {
            throw ParameterError("means", "must have one entry per state (1...\(HMMParameters.maxStates)), got \(d)")
        }
        guard variances.count == d else {
            throw ParameterError("variances", "must have d = \(d) entries (one per state, like means), got \(variances.count)")
        }
        guard transition.count == d * d else {
            throw ParameterError("transition", "must have d×d = \(d * d) entries (row-major), got \(transition.count)")
        }
        guard initial.count == d else { throw ParameterError("initial", "must have d = \(d) entries, got \(initial.count)") }
        if let bad = means.firstIndex(where: { !$0.isFinite }) {
            throw ParameterError("means", "entry \(bad) is \(means[bad]); means must be finite")
        }
        if let bad = variances.firstIndex(where: { !($0.isFinite && $0 > 0 && $0 < 1e300) }) {
            throw ParameterError("variances", "entry \(bad) is \(variances[bad]); variances must be finite and > 0")
        }
        for x in 0..<d {
            try HMMParameters.checkDistribution(transition[(x * d)..<(x * d + d)], name: "transition[\(x)]", what: "row")
        }
        try HMMParameters.checkDistribution(initial[...], name: "initial", what: "vector")
        states = d
        self.transition = transition
        self.initial = initial
        self.means = means
        self.variances = variances
        logNormaliser = variances.map { -0.5 * Double.log(2 * .pi * $0) }
        halfPrecision = variances.map { 0.5 / $0 }
    }

    /// Writes κ·N(y; mₓ, vₓ) for every state into `c` with κ chosen so that max c = `scale`, and returns
    /// log κ⁻¹·scale = max over x of log N(y; mₓ, vₓ) (so log cₓ = log N + log scale − the returned value).
    /// Components far below the largest may underflow to 0 (states the observation all but rules out).
    @inline(__always)
    func scaledLikelihood(_ y: Double, scale: Double, into c: UnsafeMutablePointer<Double>) -> Double {
        var top = -Double.infinity
        for x in 0..<states {
            let r = y - means[x]
            let l = logNormaliser[x] - halfPrecision[x] * r * r
            c[x] = l
            if l > top { top = l }
        }
        for x in 0..<states { c[x] = scale * Double.exp(c[x] - top) }
        return top
    }

    /// Mean Σ wₓmₓ and variance Σ wₓ(vₓ + (mₓ − mean)²) of the mixture Σ wₓ N(mₓ, vₓ) for a measure w (d entries).
    @inline(__always)
    func mixtureMoments(_ w: UnsafePointer<Double>) -> (mean: Double, variance: Double) {
        var mean = 0.0
        for x in 0..<states { mean += w[x] * means[x] }
        var variance = 0.0
        for x in 0..<states {
            let r = means[x] - mean
            variance += w[x] * (variances[x] + r * r)
        }
        return (mean, variance)
    }

    /// P(Y ≤ y) and the density of the mixture Σ wₓ N(mₓ, vₓ) at y.
    @inline(__always)
    func mixtureDistribution(_ y: Double, weights w: UnsafePointer<Double>) -> (cdf: Double, density: Double) {
        var cdf = 0.0, density = 0.0
        for x in 0..<states where w[x] > 0 {
            let r = y - means[x]
            cdf += w[x] * 0.5 * Double.erfc(-r * (halfPrecision[x]).squareRoot())
            density += w[x] * Double.exp(logNormaliser[x] - halfPrecision[x] * r * r)
        }
        return (cdf, density)
    }

    /// The p-quantile of the mixture: Newton's method from the moment-matched normal, kept inside a bisection
    /// bracket (the components' ±40σ), to |F(q) − p| ≤ 4ε or a bracket one ulp wide.
    public func mixtureQuantile(_ p: Double, weights w: UnsafePointer<Double>, normalQuantile z: Double) -> Double {
        var lo = Double.infinity, hi = -Double.infinity
        for x in 0..<states where w[x] > 0 {
            let s = variances[x].squareRoot()
            lo = Swift.min(lo, means[x] - 40 * s)
            hi = Swift.max(hi, means[x] + 40 * s)
        }
        guard lo < hi else { return .nan }
        let moments = mixtureMoments(w)
        var q = Swift.min(Swift.max(moments.mean + z * moments.variance.squareRoot(), lo), hi)
        for _ in 0..<200 {
            let (cdf, density) = mixtureDistribution(q, weights: w)
            if abs(cdf - p) <= 4 * .ulpOfOne { return q }
            if cdf < p { lo = q } else { hi = q }
            let newton = q - (cdf - p) / density
            let next = newton > lo && newton < hi ? newton : 0.5 * (lo + hi)
            guard next > lo, next < hi, next != q else { return q }
            q = next
        }
        return q
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(transition)
        writer.write(initial)
        writer.write(means)
        writer.write(variances)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let a = try reader.readDoubles(), mu = try reader.readDoubles()
        let m = try reader.readDoubles(), v = try reader.readDoubles()
        do {
            try self.init(transition: a, initial: mu, means: m, variances: v)
        } catch {
            throw StateDecodingError("Gaussian HMM parameters: \(error.description)")
        }
    }
}
