import RealModule

/// Student-t and normal distribution functions for predictive intervals and densities (no tables, no I/O).
///
/// The CDF is the regularized incomplete beta function by its continued fraction (Lentz's method, as in
/// Numerical Recipes §6.4); quantiles invert it by safeguarded Newton steps, or for ν ≥ 40 by the Cornish–Fisher
/// expansion of Abramowitz & Stegun 26.7.5 (five terms, within 2·10⁻⁹ of the exact quantile at levels ≤ 0.995).
public enum StudentT {
    /// ν above which ``quantile(probability:normalQuantile:dof:)`` uses the Cornish–Fisher expansion.
    public static let expansionThreshold = 40.0

    /// log density of the Student-t with `dof` ν, location `mean` and scale `scale` at `y`.
    public static func logDensity(_ y: Double, mean: Double, scale: Double, dof nu: Double) -> Double {
        logDensity(y, mean: mean, scale: scale, dof: nu, constant: nu == .infinity ? 0 : logDensityConstant(dof: nu))
    }

    /// log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ): the part of ``logDensity`` that depends on ν only, so that a
    /// caller evaluating many densities of one ν computes it once.
    static func logDensityConstant(dof nu: Double) -> Double {
        Double.logGamma((nu + 1) / 2) - Double.logGamma(nu / 2) - 0.5 * Double.log(nu * .pi)
    }

    /// ``logDensity`` given ``logDensityConstant(dof:)`` of its ν (ignored for ν = ∞); the same rounding.
    @inline(__always)
    static func logDensity(_ y: Double, mean: Double, scale: Double, dof nu: Double, constant: Double) -> Double {
        let t = (y - mean) / scale
        if nu == .infinity { return -0.5 * t * t - Double.log(scale) - 0.5 * Double.log(2 * .pi) }
        return constant - Double.log(scale) - (nu + 1) / 2 * Double.log(onePlus: t * t / nu)
    }

    /// P(T ≤ t) for T ~ t(ν); ν = ∞ gives the standard normal CDF.
    public static func cdf(_ t: Double, dof nu: Double) -> Double {
        if nu == .infinity { return 0.5 * Double.erfc(-t / 2.0.squareRoot()) }
        return cdf(t, dof: nu, logBeta: logBetaReciprocal(a: nu / 2, b: 0.5))
    }

    /// ``cdf(_:dof:)`` for finite ν given −log B(ν/2, ½) (``logBetaReciprocal(a:b:)``).
    private static func cdf(_ t: Double, dof nu: Double, logBeta: Double) -> Double {
        guard t != 0 else { return 0.5 }
        let tail = 0.5 * regularizedBeta(nu / (nu + t * t), a: nu / 2, b: 0.5, logBeta: logBeta)
        return t > 0 ? 1 - tail : tail
    }

    /// The quantile t with P(T ≤ t) = `probability` ∈ (½, 1), given z = Φ⁻¹(probability) (precomputed per level).
    public static func quantile(probability p: Double, normalQuantile z: Double, dof nu: Double) -> Double {
        if nu == .infinity { return z }
        if nu >= expansionThreshold { return cornishFisher(z, dof: nu) }
        if nu == 1 { return Double.tan(.pi * (p - 0.5)) }
        if nu == 2 { return (2 * p - 1) / (2 * p * (1 - p)).squareRoot() }
        // Bracket [lo, hi] with cdf(lo) < p ≤ cdf(hi), then Newton steps kept inside it (bisection otherwise).
        // The ν-only parts of the CDF and the density, computed once for all the steps.
        let logBeta = logBetaReciprocal(a: nu / 2, b: 0.5), constant = logDensityConstant(dof: nu)
        var lo = 0.0, hi = max(2 * z, 1.0)
        while cdf(hi, dof: nu, logBeta: logBeta) < p { lo = hi; hi *= 2 }
        var t = min(max(cornishFisher(z, dof: max(nu, 1)), lo), hi)
        for _ in 0..<100 {
            let f = cdf(t, dof: nu, logBeta: logBeta) - p
            if f == 0 { return t }
            if f < 0 { lo = t } else { hi = t }
            var next = t - f / Double.exp(logDensity(t, mean: 0, scale: 1, dof: nu, constant: constant))
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - t) <= 1e-15 * max(1, abs(t)) { return next }
            t = next
        }
        return t
    }

    /// Abramowitz & Stegun 26.7.5: t ≈ z + g₁/ν + g₂/ν² + g₃/ν³ + g₄/ν⁴.
    static func cornishFisher(_ z: Double, dof nu: Double) -> Double {
        let z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2
        let g1 = (z3 + z) / 4
        let g2 = (5 * z5 + 16 * z3 + 3 * z) / 96
        let g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384
        let g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160
        return z + (g1 + (g2 + (g3 + g4 / nu) / nu) / nu) / nu
    }

    /// Φ⁻¹(p) for p ∈ (0, 1): Newton on erfc from a logistic start, to full double precision (used once per level).
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "normal quantile needs p in (0, 1)")
        var z = Double.log(p / (1 - p)) / 1.702
        for _ in 0..<60 {
            let f = 0.5 * Double.erfc(-z / 2.0.squareRoot()) - p
            let d = Double.exp(-0.5 * z * z) / (2 * .pi).squareRoot()
            let step = f / d
            z -= step
            if abs(step) <= 1e-16 * max(1, abs(z)) { break }
        }
        return z
    }

    /// log Γ(a + b) − log Γ(a) − log Γ(b) = −log B(a, b), the normaliser of ``regularizedBeta(_:a:b:logBeta:)``.
    static func logBetaReciprocal(a: Double, b: Double) -> Double {
        Double.logGamma(a + b) - Double.logGamma(a) - Double.logGamma(b)
    }

    /// I_x(a, b), the regularized incomplete beta function, given −log B(a, b).
    static func regularizedBeta(_ x: Double, a: Double, b: Double, logBeta: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = Double.exp(logBeta + a * Double.log(x) + b * Double.log(onePlus: -x))
        if x < (a + 1) / (a + b + 2) { return front * betaFraction(x, a: a, b: b) / a }
        return 1 - front * betaFraction(1 - x, a: b, b: a) / b
    }

    /// The continued fraction of I_x(a, b) by the modified Lentz method.
    private static func betaFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
