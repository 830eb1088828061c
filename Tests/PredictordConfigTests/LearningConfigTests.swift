import Foundation
import PredictorEngine
import PredictordConfig
import Testing

/// The `learn*` keys of `forward`, `dual` and `softmax` models: defaults, parsed values, and errors naming the key.
@Suite struct LearningConfigTests {
    static let hmm = """
        states: 2
            symbols: 3
            transition: [0.9, 0.1, 0.2, 0.8]
            emission: [0.6, 0.3, 0.1, 0.1, 0.3, 0.6]
        """

    /// Loads `models: [m]` with `model.m` = `section` from a real temporary file.
    static func load(_ section: String) async throws(ConfigurationErrors) -> ModelDefinition {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("predictord-hmmlearn-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).yaml").path
        let text = "models: [m]\nmodel:\n  m:\n    " + section + "\n"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await ConfigurationLoader.load(path: path, environment: [:]).models[0]
    }

    /// The keys of the issues a section produces (empty when it loads).
    static func errorKeys(_ section: String) async -> [String] {
        do {
            _ = try await load(section)
            return []
        } catch {
            return error.issues.map(\.key)
        }
    }

    @Test func defaultsAndParsedValues() async throws {
        let plain = try await Self.load("kind: forward\n    " + Self.hmm)
        #expect(plain.learning == LearningOptions(enabled: false))
        let dual = try await Self.load("""
            kind: dual
                window: 8
                \(Self.hmm)
                learn: true
                learn_segment: 32
                learn_offset: 5
                learn_exponent: 0.75
                learn_smoothing: 0.001
                learn_refresh: 3
            """)
        #expect(dual.learning == LearningOptions(enabled: true, segmentLength: 32, stepOffset: 5, stepExponent: 0.75,
                                                 smoothing: 0.001, refreshInterval: 3))
    }

    @Test(arguments: [
        ("learn_segment: 0", "model.m.learn_segment"),
        ("learn_offset: -1", "model.m.learn_offset"),
        ("learn_exponent: 0.5", "model.m.learn_exponent"),
        ("learn_exponent: 1.5", "model.m.learn_exponent"),
        ("learn_smoothing: 0", "model.m.learn_smoothing"),
        ("learn_refresh: 0", "model.m.learn_refresh"),
    ])
    func invalidValuesNameTheKey(line: String, key: String) async {
        let keys = await Self.errorKeys("kind: forward\n    " + Self.hmm + "\n    learn: true\n    " + line)
        #expect(keys == [key])
    }

    @Test func softmaxBetaTuningKeys() async throws {
        let softmax = try await Self.load("kind: softmax\n    dimension: 1\n    learn: true\n    learn_rate: 0.2\n    learn_refresh: 5")
        #expect(softmax.learning == LearningOptions(enabled: true, refreshInterval: 5, betaRate: 0.2))
        #expect(await Self.errorKeys("kind: softmax\n    dimension: 1\n    learn: true\n    learn_rate: 0") == ["model.m.learn_rate"])
        #expect(await Self.errorKeys("kind: softmax\n    dimension: 1\n    learn_rate: 2") == ["model.m.learn_rate"])
        #expect(await Self.errorKeys("kind: softmax\n    dimension: 1\n    learn_segment: 8") == ["model.m.learn_segment"])
    }

    @Test func hmmKeysAreUnknownOnRLS() async {
        let rls = await Self.errorKeys("kind: rls\n    dimension: 1\n    learn: true\n    learn_segment: 8")
        #expect(rls == ["model.m.learn_segment"])
    }
}
