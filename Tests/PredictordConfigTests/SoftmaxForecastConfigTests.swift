import PredictorCore
import PredictorEngine
import PredictordConfig
import Testing

/// The forecasting-form keys of a `softmax` model: parsed values, the plain default, and errors naming the key.
@Suite struct SoftmaxForecastConfigTests {
    @Test func keysAreParsed() async throws {
        let m = try await LearningConfigTests.load("""
            kind: softmax
                lags: 12
                standardize: true
                kernel: distance
                difference: 1
                seasonal_difference: 1
                season: 12
                variance_prior: 3
                variance_floor: 0.05
            """)
        guard case let .softmax(p) = m.spec else { Issue.record("not softmax: \(m.spec)"); return }
        #expect(p.options == (try SoftmaxOptions(standardize: true, kernel: .distance, difference: 1, seasonalDifference: 1,
                                                 season: 12, variancePrior: 3, varianceFloor: 0.05)))
        let plain = try await LearningConfigTests.load("kind: softmax\n    lags: 2")
        guard case let .softmax(q) = plain.spec else { Issue.record("not softmax"); return }
        #expect(q.options == .plain && !q.options.isForecasting)
    }

    @Test func badValuesNameTheirKey() async {
        #expect(await LearningConfigTests.errorKeys("kind: softmax\n    lags: 2\n    kernel: cosine") == ["model.m.kernel"])
        #expect(await LearningConfigTests.errorKeys("kind: softmax\n    lags: 2\n    variance_floor: 0") == ["model.m.variance_floor"])
        #expect(await LearningConfigTests.errorKeys("kind: softmax\n    lags: 2\n    seasonal_difference: 1") == ["model.m.season"])
        #expect(await LearningConfigTests.errorKeys("kind: softmax\n    dimension: 2\n    difference: 1") == ["model.m.difference"])
        #expect(await LearningConfigTests.errorKeys("kind: softmax\n    lags: 2\n    standardize: true\n    learn: true") == [])
    }
}
