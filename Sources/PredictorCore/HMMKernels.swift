/// Allocation-free inner loops shared by the HMM filters: measure×matrix products and the symbol prediction.
///
/// Pointers are unchecked; callers guarantee the shapes (d, m) that ``HMMParameters`` validated.
enum HMMKernels {
    /// ν(c_z) = Σ_x ν(x) C(x, z): the probability a measure ν gives symbol z (C is d×m row-major).
    @inline(__always)
    static func emissionProbability(_ nu: UnsafePointer<Double>, _ C: UnsafePointer<Double>,
                                    states d: Int, symbols m: Int, symbol z: Int) -> Double {
        var p = 0.0
        var k = z
        for x in 0..<d {
            p += nu[x] * C[k]
            k += m
        }
        return p
    }

    /// out = u A for a row vector u and a d×d row-major A (`out` must not alias `u`).
    ///
    /// Four output columns at a time are accumulated in registers over x (ascending), then stored once.
    @inline(__always)
    static func rowTimesMatrix(_ u: UnsafePointer<Double>, _ A: UnsafePointer<Double>, states d: Int,
                               into out: UnsafeMutablePointer<Double>) {
        var y = 0
        while y + 4 <= d {
            var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
            var col = A + y
            for x in 0..<d {
                let ux = u[x]
                a0 += ux * col[0]
                a1 += ux * col[1]
                a2 += ux * col[2]
                a3 += ux * col[3]
                col += d
            }
            out[y] = a0
            out[y + 1] = a1
            out[y + 2] = a2
            out[y + 3] = a3
            y += 4
        }
        while y < d {
            var acc = 0.0
            var col = A + y
            for x in 0..<d {
                acc += u[x] * col[0]
                col += d
            }
            out[y] = acc
            y += 1
        }
    }

    /// Writes the next-symbol law ν C, the mean E f = ν C f and the variance E f² − (E f)² into `prediction`.
    ///
    /// The moments come from the per-state moments of g = f − k precomputed in ``HMMParameters`` (O(d), and the
    /// shift k keeps E g² − (E g)² from cancelling when f has a large offset); the variance is clamped at 0.
    @inline(__always)
    static func fillPrediction(measure nu: UnsafePointer<Double>, parameters: HMMParameters, count: Int,
                               surprise: Double, into prediction: inout Prediction) {
        let d = parameters.states, m = parameters.symbols
        prediction.kind = .symbol
        prediction.count = count
        prediction.surprise = surprise
        if prediction.probabilities.count != m { prediction.probabilities = [Double](repeating: 0, count: m) }
        var g1 = 0.0, g2 = 0.0
        parameters.emission.withUnsafeBufferPointer { cb in
            prediction.probabilities.withUnsafeMutableBufferPointer { pb in
                let C = cb.baseAddress!, P = pb.baseAddress!
                switch d {
                case 1: lawOfNextSymbol(nu, C, states: 1, symbols: m, into: P)
                case 2: lawOfNextSymbol(nu, C, states: 2, symbols: m, into: P)
                case 3: lawOfNextSymbol(nu, C, states: 3, symbols: m, into: P)
                case 4: lawOfNextSymbol(nu, C, states: 4, symbols: m, into: P)
                default: lawOfNextSymbol(nu, C, states: d, symbols: m, into: P)
                }
            }
        }
        parameters.conditionalMean.withUnsafeBufferPointer { mb in
            parameters.conditionalSecondMoment.withUnsafeBufferPointer { sb in
                for x in 0..<d {
                    g1 += nu[x] * mb[x]
                    g2 += nu[x] * sb[x]
                }
            }
        }
        let variance = g2 - g1 * g1
        setSingle(&prediction.mean, parameters.valueCentre + g1)
        setSingle(&prediction.variance, variance > 0 ? variance : 0)
        if !prediction.error.isEmpty { prediction.error = [] }
    }

    /// P = ν C. For small constant d (after inlining) one symbol at a time with the d-term sum unrolled; otherwise
    /// row by row, so C is read contiguously.
    @inline(__always)
    static func lawOfNextSymbol(_ nu: UnsafePointer<Double>, _ C: UnsafePointer<Double>, states d: Int,
                                symbols m: Int, into P: UnsafeMutablePointer<Double>) {
        if d <= 4 {
            for z in 0..<m {
                var acc = 0.0
                var k = z
                for x in 0..<d {
                    acc += nu[x] * C[k]
                    k += m
                }
                P[z] = acc
            }
        } else {
            let w0 = nu[0]
            for z in 0..<m { P[z] = w0 * C[z] }
            var row = C + m
            for x in 1..<d {
                let w = nu[x]
                for z in 0..<m { P[z] += w * row[z] }
                row += m
            }
        }
    }

    /// The dual filter's backward pass in row-vector form (DualFilter's doc comment): u ← ρ_{start}; for s = start … n:
    /// u ← (u + (1 − u·e_s) r_s) A with e_s = 2c_s − 1, r_s = ρ_s ⊙ (e_s − ē_s)/(1 − ē_s²), ē_s = ρ_s·e_s.
    /// `column(s, slot)` gives c_s as a base pointer and a stride (c_s(x) = base[x·stride]). Ping-pongs between the
    /// scratch vectors `u0` and `v0` and returns the one holding the (unclipped) result.
    @inline(__always)
    static func dualSweep(_ u0: UnsafeMutablePointer<Double>, _ v0: UnsafeMutablePointer<Double>,
                          _ rho: UnsafePointer<Double>, _ A: UnsafePointer<Double>, states d: Int, window h: Int, count n: Int,
                          column: (_ position: Int, _ slot: Int) -> (UnsafePointer<Double>, Int)) -> UnsafeMutablePointer<Double> {
        var u = u0, v = v0
        let start = n + 1 > h ? n + 1 - h : 0
        var slot = start % h
        let first = rho + slot * d
        for x in 0..<d { u[x] = first[x] }
        for s in start...n {
            let (c, stride) = column(s, slot)
            let rs = rho + slot * d
            // ē = ρ_s(e_s) and u·e_s with e_s = 2 c_s − 1.
            var eBar = 0.0, uDotE = 0.0
            var k = 0
            for x in 0..<d {
                let e = 2 * c[k] - 1
                eBar += rs[x] * e
                uDotE += u[x] * e
                k += stride
            }
            let den = 1 - eBar * eBar
            if den != 0 {
                // u ← u + (1 − u·e_s) r_s, r_s = ρ_s ⊙ (e_s − ē)/(1 − ē²).
                let g = (1 - uDotE) / den
                k = 0
                for x in 0..<d {
                    u[x] += g * rs[x] * ((2 * c[k] - 1) - eBar)
                    k += stride
                }
            }
            rowTimesMatrix(u, A, states: d, into: v)
            swap(&u, &v)
            slot += 1
            if slot == h { slot = 0 }
        }
        return u
    }

    /// Makes `array` the one-element array [value], in place when it already has one element.
    @inline(__always)
    static func setSingle(_ array: inout [Double], _ value: Double) {
        if array.count == 1 { array[0] = value } else { array = [value] }
    }

    /// Clips `u` at 0 and rescales it to sum 1; returns false (leaving `u` clipped) when no positive finite mass remains.
    @inline(__always)
    static func clipAndNormalise(_ u: UnsafeMutablePointer<Double>, states d: Int) -> Bool {
        var sum = 0.0
        for x in 0..<d {
            let v = u[x]
            let c = v > 0 ? v : (v.isNaN ? v : 0)
            u[x] = c
            sum += c
        }
        guard sum > 0, sum.isFinite else { return false }
        let inv = 1 / sum
        for x in 0..<d { u[x] *= inv }
        return true
    }
}
