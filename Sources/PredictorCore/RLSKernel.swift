/// The O(p²) inner loops of RLS on raw pointers, shared by learning and prediction so both round identically.
///
/// A feature vector is passed as `m` stored values plus an optional implicit trailing 1 (`bias`), so
/// autoregressive features are read straight from the lag history without copying.
enum RLSKernel {
    /// out[j] = Σᵢ W[i,j]·xᵢ for j < q (sum in ascending i, bias row last).
    @inline(__always)
    static func mean(
        weights w: UnsafePointer<Double>, q: Int, x: UnsafePointer<Double>, m: Int, bias: Bool,
        into out: UnsafeMutablePointer<Double>
    ) {
        if q == 1 {
            var acc = 0.0
            for i in 0..<m { acc += w[i] * x[i] }
            if bias { acc += w[m] }
            out[0] = acc
            return
        }
        for j in 0..<q { out[j] = 0 }
        for i in 0..<m {
            let xi = x[i], row = w + i * q
            for j in 0..<q { out[j] += row[j] * xi }
        }
        if bias {
            let row = w + m * q
            for j in 0..<q { out[j] += row[j] }
        }
    }

    /// Row i of P times x (sum in ascending column, bias column last).
    @inline(__always)
    static func rowDot(_ row: UnsafePointer<Double>, x: UnsafePointer<Double>, m: Int, bias: Bool) -> Double {
        var acc = 0.0
        for j in 0..<m { acc += row[j] * x[j] }
        if bias { acc += row[m] }
        return acc
    }

    /// xᵀPx = Σᵢ xᵢ (P x)ᵢ, rounded exactly as inside ``learn``.
    @inline(__always)
    static func quadraticForm(
        covariance pm: UnsafePointer<Double>, p: Int, x: UnsafePointer<Double>, m: Int, bias: Bool
    ) -> Double {
        var s = 0.0
        for i in 0..<m { s += x[i] * rowDot(pm + i * p, x: x, m: m, bias: bias) }
        if bias { s += rowDot(pm + m * p, x: x, m: m, bias: bias) }
        return s
    }

    /// One exact Sherman–Morrison step given the prior innovation e = y − Wᵀx: u = Px, c = 1/(λ + xᵀu),
    /// W ← W + c·u eᵀ, P ← (P − c·u uᵀ)/λ (k = c·u is the gain). Every P entry is formed as (P_ij − (u_i·u_j)·c)·λ⁻¹, which is bitwise
    /// symmetric in i, j, so an exactly symmetric P stays exactly symmetric with no mirroring pass.
    @inline(__always)
    static func learn(
        covariance pm: UnsafeMutablePointer<Double>, weights w: UnsafeMutablePointer<Double>, p: Int, q: Int,
        x: UnsafePointer<Double>, m: Int, bias: Bool, innovation e: UnsafePointer<Double>,
        scratch u: UnsafeMutablePointer<Double>, lambda: Double, inverseLambda: Double
    ) {
        var s = 0.0
        for i in 0..<p {
            let ui = rowDot(pm + i * p, x: x, m: m, bias: bias)
            u[i] = ui
            if i < m { s += x[i] * ui } else { s += ui }
        }
        let c = 1 / (lambda + s)
        if q == 1 {
            let e0 = e[0] * c
            for i in 0..<p { w[i] += u[i] * e0 }
        } else {
            for i in 0..<p {
                let ki = u[i] * c, row = w + i * q
                for j in 0..<q { row[j] += ki * e[j] }
            }
        }
        if lambda == 1 {
            for i in 0..<p {
                let ui = u[i], row = pm + i * p
                for j in 0..<p { row[j] -= (ui * u[j]) * c }
            }
        } else {
            for i in 0..<p {
                let ui = u[i], row = pm + i * p
                for j in 0..<p { row[j] = (row[j] - (ui * u[j]) * c) * inverseLambda }
            }
        }
    }
}
