import Foundation
import Testing
@testable import PredictorCore

/// Multi-step forecasts against the closed form on the fitted coefficients (AR(1)) and a Monte Carlo simulation of
/// the fitted model through the differencing (ARIMA(1,1,1)).
@Suite struct ForecastHorizonTests {
    @Test func ar1MatchesTheClosedForm() throws {
        let h = 6
        let params = try ForecastParameters(lags: 1, bias: true, lambda: 1, delta: 1e-6, horizon: h)
        var model = SeriesForecaster(parameters: params)
        var rng = RLSTestRandom(seed: 4)
        var y = 0.0, prediction = Prediction()
        for _ in 0..<200 {
            y = 0.7 * y + 1 + rng.normal()
            try model.observe(.series([y]), into: &prediction)
        }
        let w = model.state.regression.weights, a = w[0], b = w[1]
        let nu = model.state.regression.innovationWeight - 2
        let sigma2 = model.state.regression.innovationSquares[0] / (nu - 2)
        var mean = prediction.mean[0], sum = 0.0
        #expect(prediction.horizonMean[0] == prediction.mean[0] && prediction.horizonVariance[0] == prediction.variance[0])
        for j in 1..<h {
            mean = a * mean + b
            sum += pow(a, Double(2 * j))
            #expect(abs(prediction.horizonMean[j] - mean) < 1e-9 * max(1, abs(mean)), "j=\(j)")
            let variance = prediction.variance[0] + sigma2 * sum
            #expect(abs(prediction.horizonVariance[j] - variance) < 1e-9 * variance, "j=\(j)")
        }
    }

    @Test func arima111MatchesMonteCarloOfTheFittedModel() throws {
        let h = 5
        let params = try ForecastParameters(lags: 1, movingAverage: 1, difference: 1, bias: true, horizon: h)
        var model = SeriesForecaster(parameters: params)
        var rng = RLSTestRandom(seed: 12)
        var y = 100.0, z = 0.0, e = 0.0, prediction = Prediction()
        for _ in 0..<400 {
            let shock = rng.normal()
            z = 0.5 * z + 0.3 * e + 0.2 + shock
            e = shock
            y += z
            try model.observe(.series([y]), into: &prediction)
        }
        // The fitted model: z = a z₋₁ + m ε₋₁ + c + ε; its state's last z, residual and y.
        let w = model.state.regression.weights, a = w[0], m = w[1], c = w[2]
        let state = model.state
        let nu = state.regression.innovationWeight - 3
        let sigma = (state.regression.innovationSquares[0] / (nu - 2)).squareRoot()
        let first = prediction.variance[0].squareRoot()
        let paths = 20000
        var sums = [Double](repeating: 0, count: h), squares = [Double](repeating: 0, count: h)
        var mc = RLSTestRandom(seed: 99)
        for _ in 0..<paths {
            var zp = state.z[0], ep = state.residuals[0], yp = state.rawY[0]
            for j in 0..<h {
                let shock = (j == 0 ? first : sigma) * mc.normal()
                let mean = a * zp + m * ep + c
                zp = mean + shock
                // Step 1's spread is the published one-step variance (which includes the parameter uncertainty).
                ep = shock
                yp += zp
                sums[j] += yp
                squares[j] += yp * yp
            }
        }
        for j in 0..<h {
            let mean = sums[j] / Double(paths), variance = squares[j] / Double(paths) - mean * mean
            let se = (variance / Double(paths)).squareRoot()
            #expect(abs(prediction.horizonMean[j] - mean) < 5 * se, "j=\(j): \(prediction.horizonMean[j]) vs MC \(mean)")
            #expect(abs(prediction.horizonVariance[j] / variance - 1) < 0.05, "j=\(j): \(prediction.horizonVariance[j]) vs MC \(variance)")
        }
    }
}
