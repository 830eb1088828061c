import PredictorCore
import PredictorEngine
import PredictordConfig
import Testing

/// `variance_discount`: on `rls` it makes a forecasting model with β; on `auto` a list multiplying the bank; the
/// renderer writes it back so a rendered model loads to the same spec; bad values name the key.
@Suite struct VarianceDiscountConfigTests {
    @Test func rlsTakesAScalarAndAutoAList() async throws {
        let single = try await LearningConfigTests.load("kind: rls\n    lags: 2\n    variance_discount: 0.95")
        guard case let .forecast(f) = single.spec else { Issue.record("not a forecaster: \(single.spec)"); return }
        #expect(f.varianceDiscount == 0.95 && f.lambda == 1)
        let bank = try await LearningConfigTests.load("""
            kind: auto
                lags: [1, 2]
                difference: [0]
                ma: [0]
                lambda: [1]
                variance_discount: [0.98, 0.95]
            """)
        guard case let .auto(b) = bank.spec else { Issue.record("not auto: \(bank.spec)"); return }
        #expect(b.members.map(\.varianceDiscount) == [0.98, 0.95, 0.98, 0.95])
        #expect(b.members.map(\.lags) == [1, 1, 2, 2])
        // Rendered and loaded again: the same bank.
        let lines = ConfigurationRenderer.modelLines(bank)
        #expect(lines.contains("    variance_discount: [0.98, 0.95]"), "\(lines)")
        let again = try await LearningConfigTests.load(lines.dropFirst().map { $0.dropFirst(4) }.joined(separator: "\n    "))
        #expect(again.spec == bank.spec)
        // Without the key every member's β is its λ.
        let plain = try await LearningConfigTests.load("kind: auto\n    lambda: [1, 0.99]")
        guard case let .auto(p) = plain.spec else { Issue.record("not auto"); return }
        #expect(p.members.allSatisfy { $0.varianceDiscount == $0.lambda } && !p.hasOwnVarianceDiscount)
    }

    @Test func badValuesNameTheKey() async {
        #expect(await LearningConfigTests.errorKeys("kind: rls\n    lags: 2\n    variance_discount: 1.5") == ["model.m.variance_discount"])
        #expect(await LearningConfigTests.errorKeys("kind: auto\n    variance_discount: [0.9, 0]") == ["model.m.variance_discount"])
    }
}
