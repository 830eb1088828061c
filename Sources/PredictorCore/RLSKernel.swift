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
            var acc = w[0] * x[0]
            var i = 1
            while i < m { acc += w[i] * x[i]; i &+= 1 }
            if bias { acc += w[m] }
            out[0] = acc
            return
        }
        scale(out, w, x[0], q)
        var i = 1
        while i < m { axpy(out, w + i &* q, x[i], q); i &+= 1 }
        if bias {
            add(out, w + m * q, q)
        }
    }

    /// Row i of P times x (sum in ascending column, bias column last).
    @inline(__always)
    static func rowDot(_ row: UnsafePointer<Double>, x: UnsafePointer<Double>, m: Int, bias: Bool) -> Double {
        var acc = row[0] * x[0]  // m ≥ 1 for every layout
        var j = 1
        while j < m { acc += row[j] * x[j]; j &+= 1 }
        if bias { acc += row[m] }
        return acc
    }

    /// xᵀPx = Σᵢ xᵢ (P x)ᵢ, rounded exactly as inside ``learn``.
    @inline(__always)
    static func quadraticForm(
        covariance pm: UnsafePointer<Double>, p: Int, x: UnsafePointer<Double>, m: Int, bias: Bool
    ) -> Double {
        var s = 0.0
        var i = 0
        while i < m { s += x[i] * rowDot(pm + i &* p, x: x, m: m, bias: bias); i &+= 1 }
        if bias { s += rowDot(pm + m &* p, x: x, m: m, bias: bias) }
        return s
    }

    /// One exact Sherman–Morrison step given the prior innovation e = y − Wᵀx: u = Px, c = 1/(λ + xᵀu),
    /// W ← W + c·u eᵀ, P ← (P − c·u uᵀ)/λ (k = c·u is the gain). Returns s = xᵀPx before the update, from which
    /// the updated leverage is xᵀP_new x = s/(λ + s) exactly (P_new x = k).
    ///
    /// Numerical form: every P entry is computed as (P_ij − (u_i·u_j)·c)·λ⁻¹, which is bitwise symmetric in i and j,
    /// so P stays exactly symmetric with no mirroring pass (the antisymmetric drift of the textbook
    /// P − k(xᵀP) form is what makes plain RLS blow up with λ < 1). A square-root/inverse-QR form was not needed:
    /// measured over 10⁶ steps with λ = 0.999 and x₂ = x₁ + 10⁻³·noise (cond(Z) ≈ 6·10⁶), W stayed within
    /// 3·10⁻¹¹ relative of a Float80 batch solve (a Double Cholesky batch solve is itself off by up to 4·10⁻⁹),
    /// with P exactly symmetric and positive definite throughout. At cond ≈ 10¹¹–10¹³ the error is ~cond·ε,
    /// still below the Double batch solve's.
    @inline(__always)
    @discardableResult
    static func learn(
        covariance pm: UnsafeMutablePointer<Double>, weights w: UnsafeMutablePointer<Double>, p: Int, q: Int,
        x: UnsafePointer<Double>, m: Int, bias: Bool, innovation e: UnsafePointer<Double>,
        scratch u: UnsafeMutablePointer<Double>, lambda: Double, inverseLambda: Double, ceiling: Double
    ) -> Double {
        // u = Px accumulated as Σ_j x_j·(row j of P): contiguous, vectorisable, and since P is exactly symmetric
        // each u_i gets the same terms in the same order as `rowDot` (row i), so rounding matches prediction.
        scale(u, pm, x[0], p)
        var j = 1
        while j < m { axpy(u, pm + j &* p, x[j], p); j &+= 1 }
        if bias { add(u, pm + m &* p, p) }
        var s = 0.0
        var i = 0
        while i < m { s += x[i] * u[i]; i &+= 1 }
        if bias { s += u[m] }
        let c = 1 / (lambda + s)
        if q == 1 {
            axpy(w, u, e[0] * c, p)
        } else {
            i = 0
            while i < p { axpy(w + i &* q, e, u[i] * c, q); i &+= 1 }
        }
        // Forgetting inflates P by 1/λ in every direction the data do not excite (a stuck sensor, a flat stretch),
        // and a wound-up P turns the next change into huge gains (errors of ±150 on a series whose error is 0.4).
        // While any diagonal entry of P exceeds `ceiling` = κ/δ, forgetting is suspended, so P ≤ κ·P₀/λ: the
        // upper covariance bound of exponential forgetting and resetting (Salgado, Goodwin & Middleton, 1988),
        // applied by suspension. Below it the recursion is the exact weighted ridge solution.
        var g = inverseLambda
        if g != 1 {
            i = 0
            while i < p {
                if !(pm[i &* p &+ i] <= ceiling) { g = 1; break }
                i &+= 1
            }
        }
        i = 0
        while i < p { downdate(pm + i &* p, u, u[i], c, g, p); i &+= 1 }
        return s
    }

    /// Largest diagonal entry of P for which a step still applies forgetting (see `learn`); far above any P
    /// reached by excited data (P ≤ I/δ shrinks as data arrive), far below overflow of the u·uᵀ products.
    static let covarianceCeiling = 1e100

    /// The ceiling for ridge δ: κ/δ with κ = `windUpFactor`, never above ``covarianceCeiling``.
    @inline(__always)
    static func ceiling(delta: Double) -> Double { min(covarianceCeiling, windUpFactor / delta) }

    /// κ: an unexcited direction may grow to 10⁴ times its prior variance before forgetting stops there.
    static let windUpFactor = 1e4

    // Element-wise vector helpers, explicitly 4-wide so short rows need no auto-vectoriser alias checks. Each
    // lane rounds exactly like the scalar expression it replaces (no reassociation, no fused multiply-add).

    /// y = x·a.
    @inline(__always)
    static func scale(_ y: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ a: Double, _ n: Int) {
        var i = 0
        while i &+ 4 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: v * a, as: SIMD4<Double>.self)
            i &+= 4
        }
        while i < n { y[i] = x[i] * a; i &+= 1 }
    }

    /// y = y + x·a.
    @inline(__always)
    static func axpy(_ y: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ a: Double, _ n: Int) {
        var i = 0
        while i &+ 4 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
            let t = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: t + v * a, as: SIMD4<Double>.self)
            i &+= 4
        }
        while i < n { y[i] += x[i] * a; i &+= 1 }
    }

    /// y = y + x.
    @inline(__always)
    static func add(_ y: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ n: Int) {
        var i = 0
        while i &+ 4 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
            let t = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: t + v, as: SIMD4<Double>.self)
            i &+= 4
        }
        while i < n { y[i] += x[i]; i &+= 1 }
    }

    /// row_j = (row_j − (a·u_j)·c)·g: one row of P ← (P − c·u uᵀ)/λ (g = λ⁻¹; skipped when 1).
    @inline(__always)
    static func downdate(
        _ row: UnsafeMutablePointer<Double>, _ u: UnsafePointer<Double>, _ a: Double, _ c: Double, _ g: Double,
        _ n: Int
    ) {
        var i = 0
        if g == 1 {
            while i &+ 4 <= n {
                let v = UnsafeRawPointer(u + i).loadUnaligned(as: SIMD4<Double>.self)
                let r = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD4<Double>.self)
                UnsafeMutableRawPointer(row + i).storeBytes(of: r - (v * a) * c, as: SIMD4<Double>.self)
                i &+= 4
            }
            while i < n { row[i] -= (a * u[i]) * c; i &+= 1 }
        } else {
            while i &+ 4 <= n {
                let v = UnsafeRawPointer(u + i).loadUnaligned(as: SIMD4<Double>.self)
                let r = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD4<Double>.self)
                UnsafeMutableRawPointer(row + i).storeBytes(of: (r - (v * a) * c) * g, as: SIMD4<Double>.self)
                i &+= 4
            }
            while i < n { row[i] = (row[i] - (a * u[i]) * c) * g; i &+= 1 }
        }
    }
}
