@testable import PredictorCore
import PredictordTestSupport

/// Independent batch oracle for the RLS tests: accumulates Z = Σ λ^{n−i} x xᵀ and S = Σ λ^{n−i} x yᵀ and solves
/// the weighted ridge normal equations (Z + δλⁿ I) W = S + δλⁿ w₀ by a dense Cholesky factorisation.
struct BatchRidgeSolver {
    let p: Int
    let q: Int
    let lambda: Double
    /// Z, p×p row-major.
    var gram: [Double]
    /// S, p×q row-major.
    var cross: [Double]
    /// λⁿ, the weight left on the ridge term after n pairs.
    var ridgeWeight: Double = 1
    var pairs = 0

    init(p: Int, q: Int, lambda: Double) {
        self.p = p
        self.q = q
        self.lambda = lambda
        gram = [Double](repeating: 0, count: p * p)
        cross = [Double](repeating: 0, count: p * q)
    }

    /// Z ← λZ + xxᵀ, S ← λS + xyᵀ.
    mutating func add(x: [Double], y: [Double]) {
        precondition(x.count == p && y.count == q)
        for i in 0..<p {
            for j in 0..<p { gram[i * p + j] = lambda * gram[i * p + j] + x[i] * x[j] }
            for j in 0..<q { cross[i * q + j] = lambda * cross[i * q + j] + x[i] * y[j] }
        }
        ridgeWeight *= lambda
        pairs += 1
    }

    /// The regularised normal matrix Z + δλⁿ I.
    func normalMatrix(delta: Double) -> [Double] {
        var a = gram
        for i in 0..<p { a[i * p + i] += delta * ridgeWeight }
        return a
    }

    /// W = (Z + δλⁿ I)⁻¹ (S + δλⁿ w₀), or nil if the matrix is not numerically positive definite.
    func solve(delta: Double, prior: [Double]) -> [Double]? {
        var b = cross
        for i in 0..<(p * q) { b[i] += delta * ridgeWeight * prior[i] }
        guard let l = BatchRidgeAlgebra.cholesky(normalMatrix(delta: delta), n: p) else { return nil }
        return BatchRidgeAlgebra.choleskySolve(l, n: p, b: b, columns: q)
    }

    /// (Z + δλⁿ I)⁻¹, the batch counterpart of RLS's P.
    func inverse(delta: Double) -> [Double]? {
        guard let l = BatchRidgeAlgebra.cholesky(normalMatrix(delta: delta), n: p) else { return nil }
        var identity = [Double](repeating: 0, count: p * p)
        for i in 0..<p { identity[i * p + i] = 1 }
        return BatchRidgeAlgebra.choleskySolve(l, n: p, b: identity, columns: p)
    }
}

/// Textbook dense routines (Cholesky, triangular solves, Householder QR least squares) written for the tests only.
enum BatchRidgeAlgebra {
    /// Lower-triangular L with A = LLᵀ (row-major n×n), or nil if a pivot is not positive.
    static func cholesky(_ a: [Double], n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var d = a[j * n + j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 0, d.isFinite else { return nil }
            let ljj = d.squareRoot()
            l[j * n + j] = ljj
            for i in (j + 1)..<max(n, j + 1) {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / ljj
            }
        }
        return l
    }

    /// Solves LLᵀ X = B for X (n×columns, row-major).
    static func choleskySolve(_ l: [Double], n: Int, b: [Double], columns c: Int) -> [Double] {
        var x = b
        for col in 0..<c {
            for i in 0..<n {  // forward: L z = b
                var s = x[i * c + col]
                for k in 0..<i { s -= l[i * n + k] * x[k * c + col] }
                x[i * c + col] = s / l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {  // backward: Lᵀ w = z
                var s = x[i * c + col]
                for k in (i + 1)..<max(n, i + 1) { s -= l[k * n + i] * x[k * c + col] }
                x[i * c + col] = s / l[i * n + i]
            }
        }
        return x
    }

    /// Ordinary least squares min ‖XW − Y‖ by Householder QR; X is rows×p, Y rows×q (row-major), rows ≥ p.
    static func leastSquares(x xIn: [Double], y yIn: [Double], rows m: Int, p: Int, q: Int) -> [Double] {
        var a = xIn, b = yIn
        for k in 0..<p {
            var norm = 0.0
            for i in k..<m { norm += a[i * p + k] * a[i * p + k] }
            norm = norm.squareRoot()
            let alpha = a[k * p + k] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: m)
            for i in k..<m { v[i] = a[i * p + k] }
            v[k] -= alpha
            var vv = 0.0
            for i in k..<m { vv += v[i] * v[i] }
            guard vv > 0 else { continue }
            for j in k..<p {  // A ← (I − 2vvᵀ/vᵀv) A
                var dot = 0.0
                for i in k..<m { dot += v[i] * a[i * p + j] }
                let f = 2 * dot / vv
                for i in k..<m { a[i * p + j] -= f * v[i] }
            }
            for j in 0..<q {
                var dot = 0.0
                for i in k..<m { dot += v[i] * b[i * q + j] }
                let f = 2 * dot / vv
                for i in k..<m { b[i * q + j] -= f * v[i] }
            }
        }
        var w = [Double](repeating: 0, count: p * q)  // back substitution R W = (Qᵀ Y)[0..<p]
        for j in 0..<q {
            for i in stride(from: p - 1, through: 0, by: -1) {
                var s = b[i * q + j]
                for k in (i + 1)..<max(p, i + 1) { s -= a[i * p + k] * w[k * q + j] }
                w[i * q + j] = s / a[i * p + i]
            }
        }
        return w
    }

    /// max |a − b| / max |b| (absolute when b is zero).
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var diff = 0.0, scale = 0.0
        for i in a.indices {
            diff = max(diff, abs(a[i] - b[i]))
            scale = max(scale, abs(b[i]))
        }
        return scale > 0 ? diff / scale : diff
    }
}

/// SplitMix64: a small seeded generator so every RLS test sees the same data on every run.
struct RLSTestRandom {
    private var base: SplitMix64

    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [−1, 1).
    mutating func symmetric() -> Double { 2 * unit() - 1 }

    /// Approximately standard normal (Irwin–Hall sum of 12 uniforms minus 6).
    mutating func normal() -> Double {
        var s = 0.0
        for _ in 0..<12 { s += unit() }
        return s - 6
    }

    mutating func vector(_ n: Int, scale: Double = 1) -> [Double] {
        (0..<n).map { _ in scale * normal() }
    }
}
