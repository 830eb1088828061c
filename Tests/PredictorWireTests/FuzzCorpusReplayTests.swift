import Foundation
import PredictordConfig
import PredictordFuzzChecks
import PredictorWire
import Testing

/// The fuzzers' seed corpus (and every crash input saved next to it as a regression) replayed through the same
/// checks as the libFuzzer target `FuzzWire` (Tests/Fuzz): a cheap regression run in every `swift test`.
@Suite("Fuzz corpus replay: wire")
struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fuzz/corpus").standardized
    static let repositoryRoot = corpus.appendingPathComponent("../../..").standardized

    /// Every file of `corpus/<name>`, sorted.
    static func files(_ name: String) throws -> [URL] {
        let directory = corpus.appendingPathComponent(name)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("every JSON and binary seed passes the wire checks", arguments: ["json", "binary"])
    func wireCorpus(kind: String) async throws {
        let models = try await ConfigurationLoader.load(
            path: Self.repositoryRoot.appendingPathComponent("Config/predictord.yaml").path, environment: [:]).models
        let files = try Self.files(kind)
        #expect(files.count >= 8, "seed corpus \(kind) has only \(files.count) files")
        var decoded = 0
        for file in files {
            let bytes = Array(try Data(contentsOf: file))
            let problems = WireCheck.problems(bytes, models: models)
            #expect(problems.isEmpty, "\(file.lastPathComponent): \(problems)")
            if (try? WireDecoder.observation(bytes)) != nil || (try? WireDecoder.prediction(bytes, stream: "s")) != nil { decoded += 1 }
        }
        #expect(decoded >= files.count / 2, "most seeds should be valid messages, only \(decoded) of \(files.count) decode")
    }
}
