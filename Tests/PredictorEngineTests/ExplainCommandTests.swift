import Foundation
import PredictorCore
import PredictorWire
import PredictordState
import Testing
@testable import PredictorEngine

/// `predictord explain` on a real checkpoint: the attention layer of an rls stream, the controls of a dual stream.
@Suite struct ExplainCommandTests {
    @Test func explainsRLSAndDualStreams() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-explain-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rls = ModelSpec.rls(try RLSParameters(layout: .explicit(dimension: 2), outputs: 1, lambda: 1, delta: 1))
        let hmm = try HMMParameters(states: 2, symbols: 2, transition: [0.9, 0.1, 0.2, 0.8], emission: [0.8, 0.2, 0.3, 0.7], initial: [0.5, 0.5])
        let dual = ModelSpec.dual(try DualFilterParameters(hmm: hmm, window: 4))
        var engine = PredictionEngine(models: [ModelDefinition(name: "line", match: "l/", spec: rls),
                                               ModelDefinition(name: "tokens", match: "t/", spec: dual)])
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for (x, y) in [([1.0, 0], 2.0), ([0, 1], -1), ([1, 1], 1.2)] {
            try engine.process(stream: "l/1", message: InboundMessage(body: .observation(.labelled(x: x, y: [y])), encoding: .json), now: 0, into: &out)
        }
        for z in [0, 1, 1, 0, 1, 1] {
            try engine.process(stream: "t/1", message: InboundMessage(body: .observation(.symbol(z)), encoding: .json), now: 0, into: &out)
        }
        let measure = out.prediction  // the dual's last prediction: probs = ρ_n C
        try CheckpointStore(directory: dir.path).write(engine.checkpoint(createdAt: Date().timeIntervalSince1970))

        let line = try ReplayCommandTests.run(["explain", dir.path, "l/1"])
        #expect(line.status == 0, "\(line.stderr)")
        #expect(line.stdout.contains("kind rls, 3 pairs") && line.stdout.contains("eigenvalues of P:"), "\(line.stdout)")

        let tokens = try ReplayCommandTests.run(["explain", dir.path, "t/1"])
        #expect(tokens.status == 0, "\(tokens.stderr)")
        func vector(after prefix: String) -> [Double] {
            guard let text = tokens.stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return [] }
            return text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces).dropFirst().dropLast()
                .split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        }
        let estimate = vector(after: "rho_start^T Y - sum_s U_s:"), current = vector(after: "current estimate rho_n:")
        #expect(estimate.count == 2 && current.count == 2, "\(tokens.stdout)")
        for x in 0..<min(estimate.count, current.count) { #expect(abs(estimate[x] - current[x]) <= 1e-12) }
        // ρ_n C is the published next-symbol law.
        let probs = (0..<2).map { z in (0..<2).map { current[$0] * hmm.emission[$0 * 2 + z] }.reduce(0, +) }
        #expect(zip(probs, measure.probabilities).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(tokens.stdout.contains("positions 3…5") && tokens.stdout.split(separator: "\n").filter { $0.hasPrefix("  s = ") }.count == 3)

        let missing = try ReplayCommandTests.run(["explain", dir.path, "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("no stream 'nope'"), "\(missing.stderr)")
    }
}
