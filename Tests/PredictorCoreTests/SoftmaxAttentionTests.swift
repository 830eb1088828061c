import RealModule
import Testing
@testable import PredictorCore

@Suite struct SoftmaxAttentionTests {
    /// Direct formula with unshifted exponentials (only for moderate logits).
    private func direct(_ logits: [Double], _ values: [Double], q: Int) -> (mean: [Double], variance: [Double]) {
        let w = logits.map { Double.exp($0) }
        let total = w.reduce(0, +)
        var mean = [Double](repeating: 0, count: q), variance = mean
        for i in logits.indices { for c in 0..<q { mean[c] += w[i] * values[i * q + c] / total } }
        for i in logits.indices {
            for c in 0..<q { variance[c] += w[i] * (values[i * q + c] - mean[c]) * (values[i * q + c] - mean[c]) / total }
        }
        return (mean, variance)
    }

    @Test func matchesDirectFormula() {
        var rng = SoftmaxTestRNG(seed: 11)
        for n in [1, 2, 7, 100] {
            for q in [1, 3] {
                let logits = rng.vector(n, in: -20...20)
                let values = rng.vector(n * q, in: -4...4)
                var mean: [Double] = [], variance: [Double] = []
                SoftmaxAttention.average(logits: logits, values: values, outputs: q, mean: &mean, variance: &variance)
                let expected = direct(logits, values, q: q)
                #expect(softmaxClose(mean, expected.mean, tol: 1e-12))
                #expect(softmaxClose(variance, expected.variance, tol: 1e-12))
            }
        }
    }

    @Test func invariantToAddingAConstantToAllLogits() {
        var rng = SoftmaxTestRNG(seed: 12)
        let q = 2
        // Logits on a 1/1024 grid and integer shifts: logit + c is exact, so the outputs agree bit for bit.
        let grid = (0..<50).map { _ in Double(Int.random(in: -8192...8192, using: &rng)) / 1024 }
        let values = rng.vector(50 * q, in: -3...3)
        var m0: [Double] = [], v0: [Double] = []
        SoftmaxAttention.average(logits: grid, values: values, outputs: q, mean: &m0, variance: &v0)
        for c in [-1e4, -700.0, 1, 800, 1e4] {
            var m: [Double] = [], v: [Double] = []
            SoftmaxAttention.average(logits: grid.map { $0 + c }, values: values, outputs: q, mean: &m, variance: &v)
            #expect(m.map(\.bitPattern) == m0.map(\.bitPattern), "c = \(c)")
            #expect(v.map(\.bitPattern) == v0.map(\.bitPattern), "c = \(c)")
        }
        // Arbitrary logits: agreement to rounding of logit + c.
        let logits = rng.vector(50, in: -10...10)
        SoftmaxAttention.average(logits: logits, values: values, outputs: q, mean: &m0, variance: &v0)
        for c in [-300.0, -1.5, 2.25, 250] {
            var m: [Double] = [], v: [Double] = []
            SoftmaxAttention.average(logits: logits.map { $0 + c }, values: values, outputs: q, mean: &m, variance: &v)
            #expect(softmaxClose(m, m0, tol: 1e-12), "c = \(c)")
            #expect(softmaxClose(v, v0, tol: 1e-12), "c = \(c)")
        }
    }

    @Test func hugeAndInfiniteLogits() {
        var mean: [Double] = [], variance: [Double] = []
        SoftmaxAttention.average(logits: [1e4, 9e3, -1e4], values: [1, 2, 3], outputs: 1, mean: &mean, variance: &variance)
        #expect(mean == [1] && variance == [0])
        SoftmaxAttention.average(logits: [1e4, 1e4, 0], values: [1, 2, 3], outputs: 1, mean: &mean, variance: &variance)
        #expect(mean == [1.5] && variance == [0.25])
        SoftmaxAttention.average(logits: [-1e4, -1e4 - 1000], values: [7, 2], outputs: 1, mean: &mean, variance: &variance)
        #expect(mean == [7])
        SoftmaxAttention.average(logits: [.infinity, 5, .infinity], values: [1, 2, 4], outputs: 1, mean: &mean, variance: &variance)
        #expect(mean == [2.5])
        SoftmaxAttention.average(logits: [-.infinity, -.infinity], values: [1, 2], outputs: 1, mean: &mean, variance: &variance)
        #expect(mean == [1.5])
        SoftmaxAttention.average(logits: [.nan, 3], values: [100, 2], outputs: 1, mean: &mean, variance: &variance)
        #expect(mean == [2])
        SoftmaxAttention.average(logits: [], values: [], outputs: 2, mean: &mean, variance: &variance)
        #expect(mean.count == 2 && mean.allSatisfy { $0.isNaN } && variance.allSatisfy { $0.isNaN })
    }
}
