import Foundation
import PredictorCore
import PredictorWire
import PredictordState
import Testing
@testable import PredictorEngine

/// `predictord inspect` on a real checkpoint file: prints slow memory and contexts, and never modifies the file.
@Suite struct InspectCommandTests {
    @Test func printsModelsLearnedPriorsAndContexts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-inspect-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = ModelSpec.rls(try RLSParameters(layout: .explicit(dimension: 1), outputs: 1, lambda: 1, delta: 1))
        var engine = PredictionEngine(models: [
            ModelDefinition(name: "line", match: "l/", spec: spec, learning: LearningOptions(enabled: true, minimumPairs: 2)),
        ])
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for s in 0..<3 {
            for x in [1.0, 2, 3] {
                try engine.process(stream: "l/\(s)", message: InboundMessage(body: .observation(.labelled(x: [x], y: [2 * x])), encoding: .json), now: 0, into: &out)
            }
        }
        let store = try CheckpointStore(directory: dir.path)
        try store.write(engine.checkpoint(createdAt: Date().timeIntervalSince1970))
        let result = try ReplayCommandTests.run(["inspect", dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("contexts: 3"))
        #expect(result.stdout.contains("line: prior_mean"))
        #expect(result.stdout.contains("from 3 context(s)"))
        #expect(result.stdout.contains("kind: rls"))
        // Configured with learn: true, and the checkpoint holds its learned prior: never `learn: false`.
        #expect(result.stdout.contains("    learn: true"), "\(result.stdout)")
        #expect(!result.stdout.contains("learn: false"), "\(result.stdout)")

        // A learning HMM: its published A, C, μ and the number of contexts it learned from.
        let hmm = try HMMParameters(states: 2, symbols: 2, transition: [0.9, 0.1, 0.2, 0.8], emission: [0.8, 0.2, 0.3, 0.7], initial: [0.5, 0.5])
        var learning = PredictionEngine(models: [ModelDefinition(
            name: "tokens", match: "", spec: .forward(hmm), learning: LearningOptions(enabled: true, segmentLength: 4, refreshInterval: 1))])
        for s in 0..<3 {
            for z in [0, 0, 1, 1, 0, 1] {
                try learning.process(stream: "t/\(s)", message: InboundMessage(body: .observation(.symbol(z)), encoding: .json), now: 0, into: &out)
            }
        }
        let learned = try #require(learning.learning.hmm.models["tokens"]?.published)
        try store.write(learning.checkpoint(createdAt: Date().timeIntervalSince1970))
        let printed = try ReplayCommandTests.run(["inspect", dir.path])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("tokens: from 3 context(s), 3 segment(s), 3 publication(s); 3 context(s) collecting a segment"), "\(printed.stdout)")
        #expect(printed.stdout.contains("    transition: \(learned.transition)"))
        #expect(printed.stdout.contains("    emission: \(learned.emission)"))
        #expect(printed.stdout.contains("    initial: \(learned.initial)"))
        #expect(learned.transition != hmm.transition)
        #expect(printed.stdout.contains("    learn: true"), "\(printed.stdout)")

        // A learning Gaussian HMM: its published A, μ, means and variances, and the telemetry/journal change report.
        let gaussian = try GaussianHMMParameters(transition: [0.9, 0.1, 0.2, 0.8], initial: [0.5, 0.5], means: [0, 3], variances: [1, 1])
        var levels = PredictionEngine(models: [ModelDefinition(
            name: "levels", match: "", spec: .gaussianDual(try GaussianDualFilterParameters(hmm: gaussian, window: 4)),
            learning: LearningOptions(enabled: true, segmentLength: 4, refreshInterval: 1))])
        for s in 0..<3 {
            for y in [0.2, -0.4, 3.5, 2.9, 0.1, 3.2] {
                try levels.process(stream: "g/\(s)", message: InboundMessage(body: .observation(.series([y])), encoding: .json), now: 0, into: &out)
            }
        }
        let fitted = try #require(levels.learning.gaussian.models["levels"]?.published)
        try store.write(levels.checkpoint(createdAt: Date().timeIntervalSince1970))
        let shown = try ReplayCommandTests.run(["inspect", dir.path])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("learned Gaussian HMMs"), "\(shown.stdout)")
        #expect(shown.stdout.contains("levels: from 3 context(s), 3 segment(s), 3 publication(s); 3 context(s) collecting a segment"), "\(shown.stdout)")
        #expect(shown.stdout.contains("    means: \(fitted.means)") && shown.stdout.contains("    variances: \(fitted.variances)"))
        #expect(shown.stdout.contains("    transition: \(fitted.transition)") && shown.stdout.contains("    learn: true"))
        #expect(fitted.means != gaussian.means)
        var reported: [String: ModelLearner] = [:]
        let changes = levels.learning.changes(since: &reported)
        #expect(changes.map(\.model) == ["levels"] && changes.first?.change.fields["means"] == fitted.means.map { "\($0)" }.joined(separator: " "))
        #expect(changes.first?.change.summary == "learned A, μ, means, variances from 3 context(s), 3 segment(s)")

        // A learning softmax model: its published β.
        let kernel = ModelSpec.softmax(try SoftmaxParameters(layout: .explicit(dimension: 1), outputs: 1, beta: 1, window: 8))
        var tuning = PredictionEngine(models: [ModelDefinition(name: "kernel", match: "", spec: kernel, learning: LearningOptions(enabled: true, refreshInterval: 1))])
        for s in 0..<2 {
            for x in [1.0, -1, 0.5, 2, -0.5] {
                try tuning.process(stream: "k/\(s)", message: InboundMessage(body: .observation(.labelled(x: [x], y: [x > 0 ? 1 : -1])), encoding: .json), now: 0, into: &out)
            }
        }
        let beta = try #require(tuning.learning.softmax.models["kernel"])
        try store.write(tuning.checkpoint(createdAt: Date().timeIntervalSince1970))
        let tuned = try ReplayCommandTests.run(["inspect", dir.path])
        #expect(tuned.stdout.contains("kernel: beta \(beta.published) from 2 context(s), 8 step(s), 8 publication(s)"), "\(tuned.stdout)")
        #expect(beta.published != 1)
        #expect(tuned.stdout.contains("    learn: true"), "\(tuned.stdout)")

        // A model without learning: no learned slow memory, so no `learn: true`.
        var fixed = PredictionEngine(models: [ModelDefinition(name: "fixed", match: "", spec: spec)])
        try fixed.process(stream: "f/0", message: InboundMessage(body: .observation(.labelled(x: [1], y: [2])), encoding: .json), now: 0, into: &out)
        try store.write(fixed.checkpoint(createdAt: Date().timeIntervalSince1970))
        let plain = try ReplayCommandTests.run(["inspect", dir.path])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stdout.contains("learn: true"), "\(plain.stdout)")
        #expect(plain.stdout.contains("# learn: no learned slow memory saved"), "\(plain.stdout)")

        let path = dir.appendingPathComponent("checkpoint.bin").path
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
        let bad = try ReplayCommandTests.run(["inspect", dir.path])
        #expect(bad.status == 1)
        #expect(!bad.stderr.contains("Usage"), "\(bad.stderr)")
        #expect(bad.stderr.contains("not a predictord checkpoint"), "\(bad.stderr)")
        #expect(FileManager.default.contents(atPath: path) == Data("garbage".utf8))
    }
}

/// `predictord inspect` on a checkpoint of an `auto` model names the member that leads its contexts.
@Suite struct InspectAutoLeadersTests {
    /// β = λ keeps the checkpoint's short model encoding (tag 5); a member with its own β takes the longer one (tag 9).
    @Test(arguments: [nil, 0.95] as [Double?])
    func namesTheLeadingMember(discount: Double?) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-inspect-auto-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A random walk with drift: the differenced member should lead both streams.
        let members = [
            try ForecastParameters(lags: 1, bias: true, varianceDiscount: discount),
            try ForecastParameters(lags: 1, difference: 1, bias: true, varianceDiscount: discount),
        ]
        let spec = ModelSpec.auto(try ForecastBankParameters(members: members, forgetting: 1))
        var engine = PredictionEngine(models: [ModelDefinition(name: "bank", match: "", spec: spec)])
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var rng = EngineLearningTests.Rng(s: 11)
        for s in 0..<2 {
            var y = 0.0
            for _ in 0..<300 {
                y += 1 + (Double(rng.next() >> 11) * 0x1p-53 - 0.5)
                try engine.process(stream: "w/\(s)", message: InboundMessage(body: .observation(.series([y])), encoding: .json), now: 0, into: &out)
            }
        }
        #expect(out.prediction.leader == 1)
        let store = try CheckpointStore(directory: dir.path)
        try store.write(engine.checkpoint(createdAt: Date().timeIntervalSince1970))
        let result = try ReplayCommandTests.run(["inspect", dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let label = "ARIMA(1,1,0) λ=1.0" + (discount.map { " β=\($0)" } ?? "")
        #expect(result.stdout.contains("# leading members (contexts): 1 \(label) (2)"), "\(result.stdout)")
    }
}
