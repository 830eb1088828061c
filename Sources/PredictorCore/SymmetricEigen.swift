import RealModule

/// The spectral decomposition S = V diag(λ) Vᵀ of a symmetric matrix by cyclic Jacobi rotations (no LAPACK in the
/// core); V orthonormal, columns in the order of `values`. For the transformer view, not for hot paths: O(p³) a sweep.
public struct SymmetricEigen: Sendable, Equatable {
    public let size: Int
    public let values: [Double]
    /// V, row-major p×p: column k is the eigenvector of `values[k]`.
    public let vectors: [Double]

    /// Decomposes the row-major p×p `matrix` (its upper triangle is used); sweeps until the off-diagonal mass is
    /// below 1e-30 of the total or 100 sweeps.
    public init(_ matrix: [Double], size p: Int) {
        precondition(matrix.count == p * p, "matrix must have p×p entries")
        var a = matrix
        for i in 0..<p { for j in 0..<i { a[i * p + j] = a[j * p + i] } }
        var v = [Double](repeating: 0, count: p * p)
        for i in 0..<p { v[i * p + i] = 1 }
        let total = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<p { for j in (i + 1)..<max(i + 1, p) { off += 2 * a[i * p + j] * a[i * p + j] } }
            if off <= 1e-30 * total || off == 0 { break }
            for i in 0..<p {
                for j in (i + 1)..<max(i + 1, p) where a[i * p + j] != 0 {
                    // The rotation that zeroes a_ij: t = sign(θ)/(|θ| + √(θ² + 1)), θ = (a_jj − a_ii)/(2a_ij).
                    let theta = (a[j * p + j] - a[i * p + i]) / (2 * a[i * p + j])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<p {  // A ← A J (columns i, j)
                        let aki = a[k * p + i], akj = a[k * p + j]
                        a[k * p + i] = c * aki - s * akj
                        a[k * p + j] = s * aki + c * akj
                    }
                    for k in 0..<p {  // A ← Jᵀ A (rows i, j)
                        let aik = a[i * p + k], ajk = a[j * p + k]
                        a[i * p + k] = c * aik - s * ajk
                        a[j * p + k] = s * aik + c * ajk
                    }
                    for k in 0..<p {  // V ← V J
                        let vki = v[k * p + i], vkj = v[k * p + j]
                        v[k * p + i] = c * vki - s * vkj
                        v[k * p + j] = s * vki + c * vkj
                    }
                }
            }
        }
        size = p
        values = (0..<p).map { a[$0 * p + $0] }
        vectors = v
    }
}
