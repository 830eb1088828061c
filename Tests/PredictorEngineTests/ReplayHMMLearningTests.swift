import Foundation
import PredictorCore
import PredictorWire
import Testing
@testable import PredictorEngine

/// `predictord replay` (the daemon's oracle) on models with `learn: true` prints exactly what an engine built here
/// prints for the same lines: learning depends only on the order of the messages.
@Suite struct ReplayHMMLearningTests {
    /// The same weakly informative HMM for both models; the learning options differ.
    static let hmm = "states: 2, symbols: 3, transition: [0.6, 0.4, 0.4, 0.6], emission: [0.4, 0.3, 0.3, 0.3, 0.3, 0.4]"
    static let yaml = """
        models: [tokens, dual]
        model:
          tokens: { kind: forward, match: "t/", \(hmm), learn: true, learn_segment: 8, learn_refresh: 1, learn_exponent: 0.8 }
          dual: { kind: dual, match: "d/", window: 6, \(hmm), learn: true, learn_segment: 8, learn_refresh: 2 }

        """

    @Test func replayEqualsAnEngineRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-replay-hmm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("learn.yaml"), input = dir.appendingPathComponent("in.jsonl")
        try Self.yaml.write(to: config, atomically: true, encoding: .utf8)
        // Six streams of a sticky two-state source, interleaved at random, with resets.
        var rng = EngineLearningTests.Rng(s: 31)
        var hidden = [Int](repeating: 0, count: 6)
        var lines: [String] = []
        for _ in 0..<900 {
            let s = Int(rng.next() % 6), stream = (s < 3 ? "t/" : "d/") + "\(s)"
            if rng.next() % 60 == 0 { lines.append("{\"stream\":\"\(stream)\",\"reset\":true}"); continue }
            if rng.next() % 10 == 0 { hidden[s] = 1 - hidden[s] }
            let u = Double(rng.next() >> 11) * 0x1p-53
            let z = hidden[s] == 0 ? (u < 0.8 ? 0 : u < 0.9 ? 1 : 2) : (u < 0.1 ? 0 : u < 0.2 ? 1 : 2)
            lines.append("{\"stream\":\"\(stream)\",\"z\":\(z)}")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let result = try ReplayCommandTests.run(["replay", "--config", config.path, input.path])
        #expect(result.status == 0, "\(result.stderr)")
        let printed = result.stdout.split(separator: "\n").map(String.init)

        let hmm = try HMMParameters(states: 2, symbols: 3, transition: [0.6, 0.4, 0.4, 0.6],
                                    emission: [0.4, 0.3, 0.3, 0.3, 0.3, 0.4], initial: [0.5, 0.5])
        var replayer = Replayer(engine: PredictionEngine(models: [
            ModelDefinition(name: "dual", match: "d/", spec: .dual(try DualFilterParameters(hmm: hmm, window: 6)),
                            learning: LearningOptions(enabled: true, segmentLength: 8, refreshInterval: 2)),
            ModelDefinition(name: "tokens", match: "t/", spec: .forward(hmm),
                            learning: LearningOptions(enabled: true, segmentLength: 8, stepExponent: 0.8, refreshInterval: 1)),
        ]))
        var expected: [String] = []
        for line in lines {
            var output: [UInt8] = []
            #expect(replayer.replay(line: Array(line.utf8), output: &output) == nil)
            expected.append(String(decoding: output, as: UTF8.self))
        }
        #expect(printed.count == expected.count)
        for (i, (a, b)) in zip(printed, expected).enumerated() where a != b {
            Issue.record("line \(i + 1): replay printed \(a), the engine \(b)")
            break
        }
        // Learning happened: both models published, and the predictions differ from a run without learning.
        #expect((replayer.engine.learning.hmm.models["tokens"]?.publications ?? 0) > 20)
        #expect((replayer.engine.learning.hmm.models["dual"]?.publications ?? 0) > 10)
        let unlearned = try ReplayCommandTests.run(["replay", "--config", config.path, "--set", "model.tokens.learn=false",
                                                    "--set", "model.dual.learn=false", input.path])
        #expect(unlearned.status == 0)
        #expect(unlearned.stdout.split(separator: "\n").count == printed.count)
        #expect(unlearned.stdout != result.stdout)
    }
}
