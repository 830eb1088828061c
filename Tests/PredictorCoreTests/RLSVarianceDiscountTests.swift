import Foundation
import Testing
@testable import PredictorCore

/// `variance_discount` β: the mean stays the weighted ridge solution, J and ν discount old evidence by β
/// (West & Harrison §10.8), checked against sums built from independent batch solves at every step.
@Suite struct RLSVarianceDiscountTests {
    @Test(arguments: [(1.0, 0.95), (0.97, 0.9), (0.99, 1.0)])
    func noiseScaleIsTheDiscountedSumOfStandardisedInnovations(lambda: Double, beta: Double) throws {
        var rng = RLSTestRandom(seed: 47)
        let p = 4, delta = 0.5
        let params = try RLSParameters(
            layout: .explicit(dimension: p), outputs: 1, lambda: lambda, delta: delta, varianceDiscount: beta)
        #expect(params.varianceDiscount == beta)
        var model = RLSPredictor(parameters: params)
        var batch = BatchRidgeSolver(p: p, q: 1, lambda: lambda)
        let prior = [Double](repeating: 0, count: p)
        // The reference: Σ β^{n−i} λe_i²/(λ + x_iᵀP_{i−1}x_i) and Σ β^{n−i}, with e_i and P_{i−1} from batch solves.
        var squares = 0.0, weight = 0.0
        // With β = λ the same sum must equal the residual sum of squares of the current fit (a second reference).
        var prediction = Prediction()
        for step in 0..<60 {
            let x = rng.vector(p)
            // The noise level quadruples half way: what β is for.
            let y = [x[0] * 1.5 - x[1] + (step < 30 ? 0.3 : 1.2) * rng.normal()]
            let before = batch.pairs == 0 ? prior : try #require(batch.solve(delta: delta, prior: prior))
            let e = y[0] - (0..<p).reduce(0.0) { $0 + before[$1] * x[$1] }
            let pBefore = try #require(batch.inverse(delta: delta))
            var s = 0.0
            for i in 0..<p { for k in 0..<p { s += x[i] * pBefore[i * p + k] * x[k] } }
            squares = beta * squares + lambda * e * e / (lambda + s)
            weight = beta * weight + 1

            try model.observe(.labelled(x: x, y: y), into: &prediction)
            batch.add(x: x, y: y)
            let w = try #require(batch.solve(delta: delta, prior: prior))
            let query = rng.vector(p)
            var queried = Prediction()
            try model.predict(query: query, into: &queried)
            let mean = (0..<p).reduce(0.0) { $0 + w[$1] * query[$1] }
            #expect(abs(queried.mean[0] - mean) <= 1e-9 * max(1, abs(mean)))
            let nu = weight - Double(p)
            if nu > 2 {
                let pNow = try #require(batch.inverse(delta: delta))
                var leverage = 0.0
                for i in 0..<p { for k in 0..<p { leverage += query[i] * pNow[i * p + k] * query[k] } }
                let expected = squares / (nu - 2) * (1 + leverage)
                #expect(abs(queried.variance[0] - expected) <= 1e-9 * expected)
                #expect(abs(queried.dof - nu) <= 1e-12 * nu)
            } else {
                #expect(queried.variance[0].isNaN)
            }
        }
    }

    @Test func aSmallerDiscountFollowsANoiseLevelChange() throws {
        // σ = 0.3 for 400 steps, then σ = 1.2: 200 steps later the β = 0.95 variance is near 1.44, β = λ = 1's is not.
        func lastVariance(beta: Double) throws -> Double {
            var rng = RLSTestRandom(seed: 5)
            var model = RLSPredictor(parameters: try RLSParameters(
                layout: .explicit(dimension: 2), outputs: 1, lambda: 1, delta: 1e-6, varianceDiscount: beta))
            var prediction = Prediction()
            for step in 0..<600 {
                let x = rng.vector(2)
                try model.observe(.labelled(x: x, y: [x[0] - x[1] + (step < 400 ? 0.3 : 1.2) * rng.normal()]), into: &prediction)
            }
            try model.predict(query: [0, 0], into: &prediction)
            return prediction.variance[0]
        }
        let adaptive = try lastVariance(beta: 0.95), fixed = try lastVariance(beta: 1)
        #expect(adaptive > 0.8 && adaptive < 2.5)
        #expect(fixed < 0.8)
    }

    @Test func outOfRangeDiscountNamesTheKey() {
        for bad in [0.0, -0.5, 1.5, Double.nan] {
            #expect(throws: ParameterError.self) {
                _ = try RLSParameters(layout: .explicit(dimension: 2), outputs: 1, lambda: 1, delta: 1, varianceDiscount: bad)
            }
            do {
                _ = try RLSParameters(layout: .explicit(dimension: 2), outputs: 1, lambda: 1, delta: 1, varianceDiscount: bad)
            } catch {
                #expect(error.parameter == "variance_discount")
            }
        }
    }

    @Test func forecastParametersWithADiscountRoundTripThroughTheLongerEncoding() throws {
        let member = try ForecastParameters(lags: 2, difference: 1, lambda: 1, varianceDiscount: 0.95)
        #expect(member.hasOwnVarianceDiscount && member.label.hasSuffix("λ=1.0 β=0.95"))
        let bank = try ForecastBankParameters(members: [member, try ForecastParameters(lags: 1)], forgetting: 1)
        #expect(bank.hasOwnVarianceDiscount)
        var writer = ByteWriter()
        bank.encode(to: &writer, long: true)
        var reader = ByteReader(writer.bytes)
        #expect(try ForecastBankParameters(from: &reader, long: true) == bank)
        #expect(reader.isAtEnd)
        // The short encoding (checkpoints before β) reads back with β = λ.
        let plain = try ForecastParameters(lags: 2, difference: 1, lambda: 0.99, movingAverageEstimator: .extendedLeastSquares)
        #expect(!plain.needsLongEncoding && plain.varianceDiscount == 0.99)
        var short = ByteWriter()
        plain.encode(to: &short)
        var shortReader = ByteReader(short.bytes)
        #expect(try ForecastParameters(from: &shortReader) == plain)
    }
}
