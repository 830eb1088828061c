import Foundation
import Testing
@testable import PredictorCore

/// The forecasting `rls` form against independent references: the series differenced by hand in the test, the
/// features built explicitly, and a batch ridge solve of them (``BatchRidgeSolver``).
@Suite struct SeriesForecasterTests {
    /// y with a trend and a period-4 season, plus noise.
    static func seasonalSeries(_ n: Int, seed: UInt64) -> [Double] {
        var rng = RLSTestRandom(seed: seed)
        var y: [Double] = []
        var e = 0.0
        for t in 0..<n {
            e = 0.5 * e + rng.normal()
            y.append(10 + 0.3 * Double(t) + [3.0, -1.0, 0.5, -2.5][t % 4] + e)
        }
        return y
    }

    @Test(arguments: [(1, 1, 1.0), (0, 1, 0.98), (2, 0, 1.0), (1, 0, 0.99)])
    func differencedModelEqualsBatchFitOnTheHandDifferencedSeries(d: Int, seasonalD: Int, lambda: Double) throws {
        let s = 4, p = 2, delta = 1e-3
        let params = try ForecastParameters(
            lags: p, difference: d, seasonalDifference: seasonalD, season: s, bias: true, lambda: lambda, delta: delta)
        var model = SeriesForecaster(parameters: params)
        let y = Self.seasonalSeries(80, seed: UInt64(10 * d + seasonalD))
        // (1 − B)^d (1 − B^4)^D written out by hand.
        func diff(_ v: [Double], _ t: Int) -> Double? {
            var u = v
            var valid = 0
            for _ in 0..<d { u = u.indices.map { $0 == 0 ? .nan : u[$0] - u[$0 - 1] }; valid += 1 }
            for _ in 0..<seasonalD { u = u.indices.map { $0 < s ? .nan : u[$0] - u[$0 - s] }; valid += s }
            return t >= valid ? u[t] : nil
        }
        var batch = BatchRidgeSolver(p: p + 1, q: 1, lambda: lambda)
        var xs: [[Double]] = [], zs: [Double] = []
        var prediction = Prediction(), previous = Double.nan
        for t in 0..<y.count {
            try model.observe(.series([y[t]]), into: &prediction)
            if previous.isFinite { #expect(prediction.error[0].bitPattern == (y[t] - previous).bitPattern) }
            let m = d + s * seasonalD
            if let zt = diff(y, t), t - m >= p, let _ = diff(y, t - p) {
                let f = [diff(y, t - 1)!, diff(y, t - 2)!, 1]
                batch.add(x: f, y: [zt]); xs.append(f); zs.append(zt)
            }
            previous = prediction.mean[0]
            guard t + 1 >= m + p + 1, batch.pairs > 0 else { continue }
            let w = try #require(batch.solve(delta: delta, prior: [0, 0, 0]))
            let next = [diff(y, t)!, diff(y, t - 1)!, 1.0]
            let zHat = zip(w, next).reduce(0) { $0 + $1.0 * $1.1 }
            // Undo the differencing: y_{t+1} = ẑ_{t+1} + (y_{t+1} − z_{t+1}) with the known past.
            var extended = Array(y[0...t]) + [0]
            let zero = diff(extended, t + 1)!
            extended[t + 1] = 1
            let one = diff(extended, t + 1)!
            let expected = (zHat - zero) / (one - zero)
            #expect(abs(prediction.mean[0] - expected) < 1e-9 * max(1, abs(expected)), "t=\(t)")
            // The NIG variance from the batch fit.
            let n = xs.count
            var j = 0.0
            for i in 0..<n {
                let r = zs[i] - zip(w, xs[i]).reduce(0) { $0 + $1.0 * $1.1 }
                j += pow(lambda, Double(n - 1 - i)) * r * r
            }
            j += pow(lambda, Double(n)) * delta * w.reduce(0) { $0 + $1 * $1 }
            let nu = (0..<n).reduce(0.0) { $0 + pow(lambda, Double($1)) } - 3
            guard nu > 2 else { continue }
            let pinv = try #require(batch.inverse(delta: delta))
            var h = 0.0
            for a in 0..<3 { for b in 0..<3 { h += next[a] * pinv[a * 3 + b] * next[b] } }
            let variance = j / (nu - 2) * (1 + h)
            #expect(abs(prediction.variance[0] - variance) < 1e-8 * variance, "t=\(t) var")
        }
        #expect(batch.pairs > 50)
    }

    /// Lags with regressors: features (x, y_{t−1}, y_{t−2}, 1); a query uses the stream's current lags.
    @Test func arxEqualsBatchFitOnExplicitFeatures() throws {
        var rng = RLSTestRandom(seed: 5)
        let params = try ForecastParameters(regressors: 2, lags: 2, bias: true, lambda: 1, delta: 1e-4)
        var model = SeriesForecaster(parameters: params)
        var batch = BatchRidgeSolver(p: 5, q: 1, lambda: 1)
        var y: [Double] = [], prediction = Prediction()
        for t in 0..<60 {
            let x = [rng.normal(), rng.normal()]
            let last = y.last ?? 0, before = y.count >= 2 ? y[y.count - 2] : 0
            let value = 1 + 2 * x[0] - x[1] + 0.5 * last - 0.2 * before + 0.3 * rng.normal()
            try model.observe(.labelled(x: x, y: [value]), into: &prediction)
            if t >= 2 { batch.add(x: x + [last, before, 1], y: [value]) }
            y.append(value)
            guard batch.pairs >= 6 else { continue }
            let w = try #require(batch.solve(delta: 1e-4, prior: [0, 0, 0, 0, 0]))
            let query = [rng.normal(), rng.normal()]
            var answer = Prediction()
            try model.predict(query: query, into: &answer)
            let f = query + [y[y.count - 1], y[y.count - 2], 1]
            let expected = zip(w, f).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(answer.mean[0] - expected) < 1e-9 * max(1, abs(expected)), "t=\(t)")
        }
    }

    @Test func stateRoundTripsAndContinuesIdentically() throws {
        let params = try ForecastParameters(
            lags: 2, seasonalLags: 1, movingAverage: 1, seasonalMovingAverage: 1, difference: 1, seasonalDifference: 1,
            season: 4, lambda: 0.99)
        var model = SeriesForecaster(parameters: params)
        let y = Self.seasonalSeries(60, seed: 3)
        var a = Prediction(), b = Prediction()
        for v in y[0..<30] { try model.observe(.series([v]), into: &a) }
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        var restored = try SeriesForecaster(parameters: params, state: try SeriesForecasterState(from: &reader))
        #expect(restored.state == model.state)
        for v in y[30...] {
            try model.observe(.series([v]), into: &a)
            try restored.observe(.series([v]), into: &b)
            #expect(a.isBitwiseEqual(to: b))
        }
    }

    /// Under forgetting a long constant stretch leaves P unexcited; the step after it must stay a small error.
    @Test func noWindUpAfterAConstantStretch() throws {
        let params = try ForecastParameters(lags: 12, bias: true, lambda: 0.98, delta: 1e-6)
        var model = SeriesForecaster(parameters: params)
        var rng = RLSTestRandom(seed: 9)
        var prediction = Prediction()
        for t in 0..<300 { try model.observe(.series([5 + sin(Double(t) / 3) + 0.1 * rng.normal()]), into: &prediction) }
        for _ in 0..<3000 { try model.observe(.series([7]), into: &prediction) }
        // Unexcited directions stop inflating at κ/δ (one 1/λ step past it at most).
        let covariance = model.state.regression.covariance
        #expect(covariance.allSatisfy { abs($0) <= RLSKernel.windUpFactor / (1e-6 * 0.98) })
        var worst = 0.0
        for t in 0..<200 {
            try model.observe(.series([8 + 0.1 * rng.normal() + 0.01 * Double(t)]), into: &prediction)
            if t > 0 { worst = max(worst, abs(prediction.error[0])) }
        }
        #expect(worst < 5, "largest error after the step: \(worst)")
    }
}
