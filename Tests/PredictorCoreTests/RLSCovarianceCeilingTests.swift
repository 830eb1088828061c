import Testing
@testable import PredictorCore

/// A stuck sensor under forgetting (λ < 1) leaves directions of P unexcited; without a bound P overflows after
/// ~23k steps at λ = 0.99 and every prediction becomes NaN. The ceiling keeps the context usable.
@Suite struct RLSCovarianceCeilingTests {
    @Test func constantSeriesUnderForgettingStaysFiniteAndRestorable() throws {
        let params = try RLSParameters(layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: 0.99, delta: 1e-6)
        var rls = RLSPredictor(parameters: params)
        var prediction = Prediction()
        for _ in 0..<60_000 { try rls.observe(.series([3.25]), into: &prediction) }
        let finite = rls.state.covariance.allSatisfy { $0.isFinite }
        #expect(finite)
        // The unexcited direction stopped inflating at the bound κ/δ (one 1/λ step past it at most).
        #expect(rls.state.covariance.max()! > RLSKernel.windUpFactor / 1e-6)
        #expect(rls.state.covariance.max()! <= RLSKernel.windUpFactor / (1e-6 * 0.99))
        #expect(abs(prediction.mean[0] - 3.25) < 1e-6)
        // The stream changes level: the context adapts instead of being stuck on NaN.
        for _ in 0..<200 { try rls.observe(.series([5.0]), into: &prediction) }
        #expect(prediction.mean[0].isFinite)
        #expect(abs(prediction.mean[0] - 5.0) < 1e-3)
        // And its state still round-trips (a non-finite P would make the checkpoint undecodable).
        var writer = ByteWriter()
        rls.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try RLSState(from: &reader) == rls.state)
    }
}
