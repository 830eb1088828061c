import RealModule
@testable import PredictorCore
import PredictordTestSupport

/// Deterministic SplitMix64 generator so the softmax tests are reproducible.
struct SoftmaxTestRNG: RandomNumberGenerator {
    var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func vector(_ n: Int, in range: ClosedRange<Double> = -1...1) -> [Double] {
        (0..<n).map { _ in Double.random(in: range, using: &self) }
    }
}

/// Independent oracle for the softmax model: the direct formula over a plain list of the last W pairs,
/// with unshifted exp(β xᵢᵀx) (fine for moderate logits), and its own lag bookkeeping.
struct SoftmaxReference {
    let beta: Double
    let window: Int
    let outputs: Int
    let prior: [Double]
    let lags: Int
    let bias: Bool
    var pairs: [(x: [Double], y: [Double])] = []
    /// Newest first; each entry one series value (q components).
    var history: [[Double]] = []

    init(beta: Double, window: Int, outputs: Int, prior: [Double]? = nil, lags: Int = 0, bias: Bool = false) {
        self.beta = beta
        self.window = window
        self.outputs = outputs
        self.prior = prior ?? [Double](repeating: 0, count: outputs)
        self.lags = lags
        self.bias = bias
    }

    mutating func store(x: [Double], y: [Double]) {
        pairs.append((x, y))
        if pairs.count > window { pairs.removeFirst() }
    }

    /// x_t = (z_{t−1}, …, z_{t−lags}, 1?), zeros for lags not seen yet.
    var lagFeatures: [Double] {
        var x: [Double] = []
        for k in 0..<lags {
            x += k < history.count ? history[k] : [Double](repeating: 0, count: outputs)
        }
        if bias { x.append(1) }
        return x
    }

    /// One series value: returns the pair stored (if any) after the same rule as the model.
    mutating func observeSeries(_ y: [Double]) {
        if history.count >= lags { store(x: lagFeatures, y: y) }
        history.insert(y, at: 0)
        if history.count > lags { history.removeLast() }
    }

    func predict(_ x: [Double]) -> (mean: [Double], variance: [Double]) {
        if pairs.isEmpty { return (prior, [Double](repeating: .nan, count: outputs)) }
        var weights: [Double] = []
        for pair in pairs {
            var dot = 0.0
            for j in 0..<x.count { dot += pair.x[j] * x[j] }
            weights.append(Double.exp(beta * dot))
        }
        let total = weights.reduce(0, +)
        var mean = [Double](repeating: 0, count: outputs)
        for (w, pair) in zip(weights, pairs) {
            for c in 0..<outputs { mean[c] += w * pair.y[c] }
        }
        for c in 0..<outputs { mean[c] /= total }
        var variance = [Double](repeating: 0, count: outputs)
        for (w, pair) in zip(weights, pairs) {
            for c in 0..<outputs { variance[c] += w * (pair.y[c] - mean[c]) * (pair.y[c] - mean[c]) }
        }
        for c in 0..<outputs { variance[c] /= total }
        return (mean, variance)
    }
}

/// |a − b| ≤ tol · max(1, |a|, |b|) component-wise; NaN matches NaN.
func softmaxClose(_ a: [Double], _ b: [Double], tol: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        return abs(x - y) <= tol * max(1, abs(x), abs(y))
    }
}
