import Foundation
import Testing
@testable import PredictorCore

/// `ma_estimator: rml`: the MA coefficients converge to the conditional-least-squares (Gaussian maximum-likelihood)
/// fit, computed here by an independent batch Gauss–Newton on the same series.
@Suite struct MovingAverageEstimatorTests {
    /// zₜ = a zₜ₋₁ + b + eₜ + c eₜ₋₁.
    static func arma11(_ n: Int, a: Double, b: Double, c: Double, seed: UInt64) -> [Double] {
        var rng = RLSTestRandom(seed: seed)
        var z: [Double] = [], previousZ = 0.0, previousE = 0.0
        for _ in 0..<n {
            let e = rng.normal()
            let v = a * previousZ + b + e + c * previousE
            z.append(v); previousZ = v; previousE = e
        }
        return z
    }

    /// Minimiser of Σ εₜ² with εₜ = zₜ − a zₜ₋₁ − b − c εₜ₋₁ (ε before the first fitted step 0), by Gauss–Newton with
    /// the exact recursive derivatives of ε.
    static func conditionalLeastSquares(_ z: [Double]) -> [Double] {
        var theta = [0.0, 0.0, 0.0]  // a, c, b
        for _ in 0..<50 {
            var jtj = [Double](repeating: 0, count: 9), jte = [0.0, 0.0, 0.0]
            var e = 0.0, de = [0.0, 0.0, 0.0]
            for t in 1..<z.count {
                let eNew = z[t] - theta[0] * z[t - 1] - theta[2] - theta[1] * e
                // ∂ε/∂a, ∂ε/∂c, ∂ε/∂b.
                let dNew = [-z[t - 1] - theta[1] * de[0], -e - theta[1] * de[1], -1 - theta[1] * de[2]]
                for i in 0..<3 {
                    jte[i] += dNew[i] * eNew
                    for k in 0..<3 { jtj[i * 3 + k] += dNew[i] * dNew[k] }
                }
                e = eNew; de = dNew
            }
            let step = Self.solve3(jtj, jte)
            for i in 0..<3 { theta[i] -= step[i] }
            if step.map(abs).max()! < 1e-12 { break }
        }
        return theta
    }

    static func solve3(_ m: [Double], _ v: [Double]) -> [Double] {
        var a = m, b = v
        for col in 0..<3 {
            let pivot = (col..<3).max { abs(a[$0 * 3 + col]) < abs(a[$1 * 3 + col]) }!
            for k in 0..<3 { a.swapAt(col * 3 + k, pivot * 3 + k) }
            b.swapAt(col, pivot)
            for row in (col + 1)..<3 {
                let f = a[row * 3 + col] / a[col * 3 + col]
                for k in 0..<3 { a[row * 3 + k] -= f * a[col * 3 + k] }
                b[row] -= f * b[col]
            }
        }
        var x = [0.0, 0.0, 0.0]
        for row in stride(from: 2, through: 0, by: -1) {
            var s = b[row]
            for k in (row + 1)..<3 { s -= a[row * 3 + k] * x[k] }
            x[row] = s / a[row * 3 + row]
        }
        return x
    }

    @Test(arguments: [(-0.3, -0.8), (0.3, 0.6)])
    func convergesToTheBatchConditionalLeastSquaresFit(a: Double, c: Double) throws {
        let z = Self.arma11(20000, a: a, b: 0.2, c: c, seed: 17)
        let reference = Self.conditionalLeastSquares(z)
        var model = SeriesForecaster(parameters: try ForecastParameters(lags: 1, movingAverage: 1, bias: true))
        var prediction = Prediction()
        for v in z { try model.observe(.series([v]), into: &prediction) }
        let w = model.state.regression.weights  // a, c, b
        for (online, batch) in zip(w, reference) {
            #expect(abs(online - batch) < 0.01, "online \(w) batch \(reference)")
        }
    }

    @Test func withoutMATermsTheEstimatorsAgreeBitForBit() throws {
        let z = Self.arma11(300, a: 0.6, b: 0, c: 0, seed: 3)
        var rml = SeriesForecaster(parameters: try ForecastParameters(lags: 2, difference: 1))
        var els = SeriesForecaster(parameters: try ForecastParameters(lags: 2, difference: 1, movingAverageEstimator: .extendedLeastSquares))
        var p = Prediction(), q = Prediction()
        for v in z {
            try rml.observe(.series([v]), into: &p)
            try els.observe(.series([v]), into: &q)
            #expect(p.isBitwiseEqual(to: q))
        }
        #expect(rml.state.gradients.isEmpty)
    }

    @Test func gradientHistoryRoundTripsAndAVersionOneStateStillReads() throws {
        let params = try ForecastParameters(lags: 1, movingAverage: 1, seasonalMovingAverage: 1, seasonalDifference: 1, season: 4)
        var model = SeriesForecaster(parameters: params)
        var a = Prediction(), b = Prediction()
        let z = Self.arma11(80, a: 0.4, b: 0, c: -0.5, seed: 8)
        for v in z[0..<40] { try model.observe(.series([v]), into: &a) }
        #expect(model.state.gradients.count == 4 * params.featureCount)
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        var restored = try SeriesForecaster(parameters: params, state: try SeriesForecasterState(from: &reader))
        for v in z[40...] {
            try model.observe(.series([v]), into: &a)
            try restored.observe(.series([v]), into: &b)
            #expect(a.isBitwiseEqual(to: b))
        }
        // A version-1 state (no gradients) fits an ELS model.
        let elsParams = try ForecastParameters(
            lags: 1, movingAverage: 1, seasonalMovingAverage: 1, seasonalDifference: 1, season: 4, movingAverageEstimator: .extendedLeastSquares)
        var old = ByteWriter()
        let s = SeriesForecaster(parameters: elsParams).state
        old.write(UInt8(1)); s.regression.encode(to: &old)
        old.write(s.rawY); old.write(s.rawX); old.write(s.lastX); old.write(s.rawFilled)
        old.write(s.z); old.write(s.zFilled); old.write(s.residuals); old.write(s.count)
        var oldReader = ByteReader(old.bytes)
        _ = try SeriesForecaster(parameters: elsParams, state: try SeriesForecasterState(from: &oldReader))
        #expect(oldReader.isAtEnd)
    }
}
