import PredictorCore
import PredictorEngine
import PredictordConfig
import Testing

/// `forward`/`dual` with `means` and `variances`: Gaussian emissions, and errors naming the key.
@Suite struct GaussianHMMConfigTests {
    static let keys = "states: 2\n    transition: [0.9, 0.1, 0.2, 0.8]\n    means: [0, 1]\n    variances: [1, 2]"

    @Test func keysAreParsed() async throws {
        let expected = try GaussianHMMParameters(transition: [0.9, 0.1, 0.2, 0.8], initial: [0.5, 0.5], means: [0, 1], variances: [1, 2])
        let forward = try await LearningConfigTests.load("kind: forward\n    " + Self.keys)
        #expect(forward.spec == .gaussianForward(expected))
        let dual = try await LearningConfigTests.load("kind: dual\n    window: 5\n    " + Self.keys)
        #expect(dual.spec == .gaussianDual(try GaussianDualFilterParameters(hmm: expected, window: 5)))
        #expect(ConfigurationRenderer.modelLines(dual).contains("    variances: [1.0, 2.0]"))
    }

    @Test func badValuesNameTheirKey() async {
        #expect(await LearningConfigTests.errorKeys("kind: forward\n    " + Self.keys + "\n    learn: true") == ["model.m.learn"])
        #expect(await LearningConfigTests.errorKeys("kind: forward\n    states: 2\n    transition: [1, 0, 0, 1]\n    means: [0, 1]") == ["model.m.variances"])
        #expect(await LearningConfigTests.errorKeys("kind: forward\n    states: 3\n    transition: [1, 0, 0, 1]\n    means: [0, 1]\n    variances: [1, 1]") == ["model.m.means"])
        #expect(await LearningConfigTests.errorKeys("kind: dual\n    " + Self.keys.replacingOccurrences(of: "[1, 2]", with: "[1, -2]")) == ["model.m.variances"])
    }
}
