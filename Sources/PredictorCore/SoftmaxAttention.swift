import RealModule

/// The pure numerics of softmax attention: logits β·kᵢᵀx and the stable kernel average Σᵢ softmaxᵢ(logits)·yᵢ.
///
/// Shared by ``SoftmaxPredictor`` and its tests; the weights are exp(logitᵢ − max logit), so no logit can overflow.
public enum SoftmaxAttention {
    /// Mean Σ wᵢyᵢ and variance Σ wᵢ(yᵢ − mean)² of `values` (n rows of `outputs`) under w = softmax(`logits`), shift-
    /// invariant; +∞ logits share all the weight, NaN logits get none, and with no usable logit both are NaN.
    public static func average(logits: [Double], values: [Double], outputs: Int,
                               mean: inout [Double], variance: inout [Double]) {
        precondition(outputs >= 1 && values.count == logits.count * outputs, "values must hold logits.count × outputs entries")
        mean.reset(count: outputs, to: 0)
        variance.reset(count: outputs, to: 0)
        var weights = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { l in
            values.withUnsafeBufferPointer { v in
                weights.withUnsafeMutableBufferPointer { w in
                    mean.withUnsafeMutableBufferPointer { m in
                        variance.withUnsafeMutableBufferPointer { s in
                            average(logits: l, values: v, outputs: outputs, weights: w, mean: m, variance: s)
                        }
                    }
                }
            }
        }
    }

    /// Allocation-free core of ``average(logits:values:outputs:mean:variance:)``: `weights` is scratch with at least
    /// `logits.count` entries; `mean` (and `variance`, unless nil) receive `outputs` values.
    @inlinable
    public static func average(logits: UnsafeBufferPointer<Double>, values: UnsafeBufferPointer<Double>, outputs q: Int,
                               weights: UnsafeMutableBufferPointer<Double>,
                               mean: UnsafeMutableBufferPointer<Double>, variance: UnsafeMutableBufferPointer<Double>?) {
        let w = UnsafeMutableBufferPointer(rebasing: weights[0..<logits.count])
        let total = Self.weights(logits: logits, top: maximum(logits), into: w)
        average(weights: UnsafeBufferPointer(w), total: total, values: values, outputs: q, mean: mean, variance: variance)
    }

    /// The largest logit, ignoring NaN (−∞ if there is none): the shift that keeps every exp(logit − shift) ≤ 1.
    @inlinable
    public static func maximum(_ logits: UnsafeBufferPointer<Double>) -> Double {
        var top = -Double.infinity
        for l in logits where l > top { top = l }
        return top
    }

    /// One unnormalised weight exp(logit − top); NaN logits weigh 0, and when `top` is ±∞ the logits equal to it weigh 1.
    @inlinable @inline(__always)
    public static func weight(logit: Double, top: Double) -> Double {
        guard top.isFinite else { return logit == top ? 1 : 0 }
        let w = Double.exp(logit - top)
        return w.isNaN ? 0 : w
    }

    /// Writes the weights of all `logits` against `top` (their ``maximum(_:)``) and returns their sum.
    @inlinable
    public static func weights(logits: UnsafeBufferPointer<Double>, top: Double,
                               into weights: UnsafeMutableBufferPointer<Double>) -> Double {
        var total = 0.0
        for i in 0..<logits.count {
            let w = weight(logit: logits[i], top: top)
            weights[i] = w
            total += w
        }
        return total
    }

    /// Mean Σ wᵢyᵢ / total and variance Σ wᵢ(yᵢ − mean)² / total of the rows of `values` under unnormalised `weights`
    /// summing to `total`; NaN when `total` is 0.
    @inlinable
    public static func average(weights: UnsafeBufferPointer<Double>, total: Double, values: UnsafeBufferPointer<Double>,
                               outputs q: Int, mean: UnsafeMutableBufferPointer<Double>,
                               variance: UnsafeMutableBufferPointer<Double>?) {
        let n = weights.count
        guard total > 0 else {
            for c in 0..<q { mean[c] = .nan }
            if let variance { for c in 0..<q { variance[c] = .nan } }
            return
        }
        // One component at a time with a register accumulator (the outputs may alias nothing, but the compiler
        // cannot know that, so accumulating in `mean[c]` would serialise on memory).
        for c in 0..<q {
            var sum = 0.0
            var row = c
            for i in 0..<n {
                let w = weights[i]
                if w != 0 { sum += w * values[row] }
                row += q
            }
            mean[c] = sum / total
        }
        guard let variance else { return }
        for c in 0..<q {
            let centre = mean[c]
            var sum = 0.0
            var row = c
            for i in 0..<n {
                let w = weights[i]
                if w != 0 {
                    let d = values[row] - centre
                    sum += w * d * d
                }
                row += q
            }
            variance[c] = sum / total
        }
    }

    /// Writes the logits β·kᵢᵀx of the first `logits.count` keys (row-major, `query.count` components each).
    @inlinable
    public static func logits(keys: UnsafeBufferPointer<Double>, query: UnsafeBufferPointer<Double>, beta: Double,
                              into logits: UnsafeMutableBufferPointer<Double>) {
        let p = query.count
        for i in 0..<logits.count {
            logits[i] = beta * dot(keys.baseAddress! + i * p, query.baseAddress!, p)
        }
    }

    /// kᵀx with a fixed summation order (four interleaved partial sums), so equal inputs give equal bits.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ p: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= p {
            s0 += a[j] * b[j]
            s1 += a[j + 1] * b[j + 1]
            s2 += a[j + 2] * b[j + 2]
            s3 += a[j + 3] * b[j + 3]
            j += 4
        }
        while j < p { s0 += a[j] * b[j]; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }
}
