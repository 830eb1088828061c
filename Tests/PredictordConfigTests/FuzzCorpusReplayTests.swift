import Foundation
import PredictordConfig
import PredictordFuzzChecks
import Testing

/// The config fuzzer's seed corpus (and saved crash inputs) replayed through the checks of the libFuzzer target
/// `FuzzConfig` (Tests/Fuzz): load or reject with key paths, check-config output loads back equal, models run.
@Suite("Fuzz corpus replay: configuration")
struct ConfigFuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/corpus/config").standardized

    @Test("every configuration seed passes the config checks; valid and invalid ones are both present")
    func configCorpus() async throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
        #expect(files.count >= 4)
        let scratch = NSTemporaryDirectory() + "predictord-config-replay-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var accepted = 0
        for file in files {
            let problems = await ConfigCheck.problems(Array(try Data(contentsOf: file)), scratchPath: scratch)
            #expect(problems.isEmpty, "\(file.lastPathComponent): \(problems)")
            if (try? await ConfigurationLoader.load(path: file.path, environment: [:])) != nil { accepted += 1 }
        }
        #expect(accepted > 0 && accepted < files.count, "\(accepted) of \(files.count) seeds load: want both kinds")
    }
}
