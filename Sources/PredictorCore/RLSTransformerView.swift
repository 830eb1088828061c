import RealModule

/// The single-layer linear transformer that reproduces an `rls` context's fit (docs/math.md, "The transformer
/// view"): W_Q = W_K = Lᵀ with L Lᵀ = P from P's spectral decomposition, value of row i its λ^{n−i}·yᵢ, and an
/// output head for the ridge prior, so that
///     Wᵀx = Σᵢ ⟨Lᵀx, Lᵀxᵢ⟩ λ^{n−i} yᵢ + headᵀx,   head = δλⁿ P w₀.
/// Exact while the covariance bound of math.md ("No wind-up") has not suspended forgetting.
public struct RLSTransformerView: Sendable, Equatable {
    public let features: Int
    public let outputs: Int
    /// L (p×p row-major), L = V diag(√λₖ): columns are P's eigenvectors scaled by the square roots of its eigenvalues.
    public let projection: [Double]
    /// P's eigenvalues (the spectrum of the inverse weighted covariance).
    public let eigenvalues: [Double]
    /// The fitted W (p×q) and the output head δλⁿ P w₀ (p×q).
    public let weights: [Double]
    public let head: [Double]
    /// λ and the pairs n learned: the value of row i (i = 1…n) is λ^{n−i} yᵢ.
    public let lambda: Double
    public let pairs: Int

    public init(parameters: RLSParameters, state: RLSState) {
        let p = state.featureCount, q = state.outputs
        let covariance = state.covariance
        let eigen = SymmetricEigen(covariance, size: p)
        var l = [Double](repeating: 0, count: p * p)
        for i in 0..<p { for k in 0..<p { l[i * p + k] = eigen.vectors[i * p + k] * max(eigen.values[k], 0).squareRoot() } }
        let ridge = parameters.delta * Double.pow(parameters.lambda, Double(state.learnedPairs))
        var h = [Double](repeating: 0, count: p * q)
        for i in 0..<p { for c in 0..<q { for j in 0..<p { h[i * q + c] += ridge * covariance[i * p + j] * parameters.priorMean[j * q + c] } } }
        features = p
        outputs = q
        projection = l
        eigenvalues = eigen.values
        weights = state.weights
        head = h
        lambda = parameters.lambda
        pairs = state.learnedPairs
    }

    /// Lᵀx: a query's (and a key's) projection.
    public func project(_ x: [Double]) -> [Double] {
        (0..<features).map { k in (0..<features).map { i in projection[i * features + k] * x[i] }.reduce(0, +) }
    }

    /// The forward pass at query `x` over the context's own rows (oldest first, the n pairs it learned): attention
    /// scores ⟨Lᵀx, Lᵀxᵢ⟩, values λ^{n−i} yᵢ, plus the head. Equals Wᵀx (the test checks it).
    public func forward(query x: [Double], rows: [(x: [Double], y: [Double])]) -> [Double] {
        let query = project(x), n = rows.count
        var out = (0..<outputs).map { c in (0..<features).map { head[$0 * outputs + c] * x[$0] }.reduce(0, +) }
        for (i, row) in rows.enumerated() {
            let key = project(row.x)
            let score = zip(query, key).map(*).reduce(0, +) * Double.pow(lambda, Double(n - 1 - i))
            for c in 0..<outputs { out[c] += score * row.y[c] }
        }
        return out
    }
}
