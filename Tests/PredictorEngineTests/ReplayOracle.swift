import Foundation

/// Independent reference computations for the replay test: batch ridge solves, the forward recursion and the
/// kernel average, written from the formulas in docs/math.md without using the library.
enum ReplayOracle {
    /// Solves A w = b (n×n, row-major) by Gaussian elimination with partial pivoting.
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        var m = a, v = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0 * n + col]) < abs(m[$1 * n + col]) }!
            if pivot != col {
                for j in 0..<n { m.swapAt(col * n + j, pivot * n + j) }
                v.swapAt(col, pivot)
            }
            for row in (col + 1)..<n {
                let f = m[row * n + col] / m[col * n + col]
                for j in col..<n { m[row * n + j] -= f * m[col * n + j] }
                v[row] -= f * v[col]
            }
        }
        var w = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = v[row]
            for j in (row + 1)..<n { s -= m[row * n + j] * w[j] }
            w[row] = s / m[row * n + row]
        }
        return w
    }

    /// Weighted ridge fit with scalar targets: returns (w, Z) for Σ λ^{n−i} x xᵀ + δλⁿ I.
    static func ridge(xs: [[Double]], ys: [Double], lambda: Double, delta: Double) -> (w: [Double], z: [Double]) {
        let p = xs.first?.count ?? 0, n = xs.count
        var z = [Double](repeating: 0, count: p * p), s = [Double](repeating: 0, count: p)
        for (i, x) in xs.enumerated() {
            let wt = pow(lambda, Double(n - 1 - i))
            for a in 0..<p {
                s[a] += wt * x[a] * ys[i]
                for b in 0..<p { z[a * p + b] += wt * x[a] * x[b] }
            }
        }
        for a in 0..<p { z[a * p + a] += delta * pow(lambda, Double(n)) }
        return (solve(z, s, n: p), z)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
}
