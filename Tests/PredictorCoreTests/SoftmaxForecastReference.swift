import RealModule
@testable import PredictorCore

/// Independent oracle for the forecasting form of `softmax`: everything recomputed from the whole raw series at
/// every step (the differences by their definition, the pairs from the z series, two-pass moments over all pairs,
/// unshifted exp weights), none of the model's ring buffers or running sums.
struct SoftmaxForecastReference {
    let beta: Double
    let window: Int
    let lags: Int
    let bias: Bool
    let standardize: Bool
    let distance: Bool
    let difference: Int
    let seasonalDifference: Int
    let season: Int
    let variancePrior: Double
    let varianceFloor: Double
    /// Raw series, oldest first (one output).
    var ys: [Double] = []

    /// zₜ = (1 − B)^d (1 − B^s)^D yₜ by repeated differencing of the whole list; nil where not defined.
    var zs: [Double?] {
        var z: [Double?] = ys.map { $0 }
        func diff(_ lag: Int) {
            z = z.indices.map { t in t >= lag ? z[t].flatMap { a in z[t - lag].map { a - $0 } } : nil }
        }
        for _ in 0..<seasonalDifference { diff(season) }
        for _ in 0..<difference { diff(1) }
        return z
    }

    var order: Int { difference + seasonalDifference * season }

    /// (mean, variance) of the next value y_T given ys (T = ys.count).
    func forecast() -> (mean: Double, variance: Double) {
        let t = ys.count
        if t < order { return (t > 0 ? ys[t - 1] : 0, .nan) }
        let z = zs
        func key(at s: Int) -> [Double] {  // lags of z before index s (0 where z is not defined)
            var k = (1...max(lags, 1)).prefix(lags).map { s - $0 >= 0 ? (z[s - $0] ?? 0) : 0 }
            if bias { k.append(1) }
            return k
        }
        var pairs: [(k: [Double], v: Double)] = []
        if t > order + lags - 1 {
            for s in (order + lags)..<t { pairs.append((key(at: s), z[s]!)) }
        }
        // y_T − z_T: the value with y_T set to 0, differenced.
        var withZero = self
        withZero.ys.append(0)
        let known = -(withZero.zs[t] ?? 0)
        guard !pairs.isEmpty else { return (known, .nan) }
        let p = pairs[0].k.count
        var mean = [Double](repeating: 0, count: p), scale = [Double](repeating: 1, count: p)
        for j in 0..<p {
            let column = pairs.map { $0.k[j] }
            mean[j] = column.reduce(0, +) / Double(column.count)
            if column.count >= 2 {
                let v = column.map { ($0 - mean[j]) * ($0 - mean[j]) }.reduce(0, +) / Double(column.count - 1)
                if v > 0 { scale[j] = 1 / v.squareRoot() }
            }
        }
        let values = pairs.map(\.v)
        let vm = values.reduce(0, +) / Double(values.count)
        let sigma0 = values.count >= 2
            ? values.map { ($0 - vm) * ($0 - vm) }.reduce(0, +) / Double(values.count - 1) : .nan
        let q = key(at: t)
        let recent = pairs.suffix(window)
        let w: [Double] = recent.map { pair in
            var logit = 0.0
            for j in 0..<p {
                let s = standardize ? scale[j] : 1, c = standardize ? mean[j] : 0
                if distance {
                    logit -= 0.5 * ((pair.k[j] - q[j]) * s) * ((pair.k[j] - q[j]) * s)
                } else {
                    logit += ((pair.k[j] - c) * s) * ((q[j] - c) * s)
                }
            }
            return Double.exp(beta * logit)
        }
        let total = w.reduce(0, +)
        let m = zip(w, recent).map { $0 * $1.v }.reduce(0, +) / total
        let spread = zip(w, recent).map { $0 * ($1.v - m) * ($1.v - m) }.reduce(0, +) / total
        let ess = total * total / w.map { $0 * $0 }.reduce(0, +)
        let shrunk = (ess * spread + variancePrior * sigma0) / (ess + variancePrior)
        let variance = sigma0.isNaN ? .nan : max(shrunk * (1 + 1 / ess), varianceFloor * sigma0)
        return (m + known, variance)
    }
}
