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

    @Test("learn: true loads on Gaussian forward and dual models, with the same learn_* keys as the symbol case")
    func learningLoads() async throws {
        let forward = try await LearningConfigTests.load("kind: forward\n    " + Self.keys + "\n    learn: true")
        #expect(forward.learning == LearningOptions(enabled: true))
        let dual = try await LearningConfigTests.load(
            "kind: dual\n    window: 8\n    " + Self.keys
                + "\n    learn: true\n    learn_segment: 32\n    learn_offset: 5\n    learn_exponent: 0.75\n    learn_smoothing: 0.001\n    learn_refresh: 3")
        #expect(dual.learning == LearningOptions(enabled: true, segmentLength: 32, stepOffset: 5, stepExponent: 0.75,
                                                 smoothing: 0.001, refreshInterval: 3))
        let lines = ConfigurationRenderer.modelLines(dual)
        #expect(lines.contains("    learn: true") && lines.contains("    learn_segment: 32") && lines.contains("    learn_refresh: 3"))
    }

    @Test("bad learning options on a Gaussian model name the key and say what to set")
    func badLearningOptionsNameTheirKey() async {
        let cases: [(String, String, String)] = [
            ("learn_segment: 0", "model.m.learn_segment", "1"),
            ("learn_offset: -1", "model.m.learn_offset", "≥ 0"),
            ("learn_exponent: 0.5", "model.m.learn_exponent", "(0.5, 1]"),
            ("learn_exponent: 1.5", "model.m.learn_exponent", "(0.5, 1]"),
            ("learn_smoothing: 0", "model.m.learn_smoothing", "> 0"),
            ("learn_refresh: 0", "model.m.learn_refresh", "1"),
        ]
        for kind in ["kind: forward", "kind: dual\n    window: 4"] {
            for (line, key, fix) in cases {
                do {
                    _ = try await LearningConfigTests.load(kind + "\n    " + Self.keys + "\n    learn: true\n    " + line)
                    Issue.record("\(line) loaded")
                } catch {
                    #expect(error.issues.map(\.key) == [key], "\(line): \(error)")
                    #expect(error.issues.first?.message.contains(fix) == true, "\(line): \(error) should say \(fix)")
                }
            }
        }
        // learn_rate belongs to softmax models: an unknown key here, named as such.
        #expect(await LearningConfigTests.errorKeys("kind: forward\n    " + Self.keys + "\n    learn: true\n    learn_rate: 0.1") == ["model.m.learn_rate"])
    }

    @Test func badValuesNameTheirKey() async {
        #expect(await LearningConfigTests.errorKeys("kind: forward\n    states: 2\n    transition: [1, 0, 0, 1]\n    means: [0, 1]") == ["model.m.variances"])
        #expect(await LearningConfigTests.errorKeys("kind: forward\n    states: 3\n    transition: [1, 0, 0, 1]\n    means: [0, 1]\n    variances: [1, 1]") == ["model.m.means"])
        #expect(await LearningConfigTests.errorKeys("kind: dual\n    " + Self.keys.replacingOccurrences(of: "[1, 2]", with: "[1, -2]")) == ["model.m.variances"])
    }
}
