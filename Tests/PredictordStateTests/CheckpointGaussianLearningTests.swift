import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordState
import Testing

/// The Gaussian twin of ``CheckpointHMMLearningTests``: learned A, μ, means and variances and the contexts' pending
/// segments of values survive a checkpoint bit for bit (format 4), and format-3 files still read.
@Suite("Checkpoint learned Gaussian HMMs")
struct CheckpointGaussianLearningTests {
    static let hmm = try! GaussianHMMParameters(transition: [0.9, 0.1, 0.2, 0.8], initial: [0.6, 0.4], means: [-1, 2], variances: [1, 2])

    /// `gf` (forward) and `gd` (dual, H = 5), both learning in short segments with frequent publications.
    static func models(refresh: Int = 2) -> [ModelDefinition] {
        let learning = LearningOptions(enabled: true, segmentLength: 8, refreshInterval: refresh)
        return [
            ModelDefinition(name: "gf", match: "gf/", spec: .gaussianForward(hmm), learning: learning),
            ModelDefinition(name: "gd", match: "gd/", spec: .gaussianDual(try! GaussianDualFilterParameters(hmm: hmm, window: 5)), learning: learning),
        ]
    }

    /// Interleaved values of two-level streams, with seq, gaps, a few resets and a few values of the wrong kind.
    static func script(count: Int, seed: UInt64) -> [ScriptedMessage] {
        var rng = CheckpointRNG(seed: seed)
        let streams = ["gf/1", "gf/2", "gd/1", "gd/é"]
        var level: [String: Double] = [:], seqs: [String: UInt64] = [:]
        return (0..<count).map { i in
            let stream = streams[rng.below(streams.count)]
            if rng.below(10) == 0 { level[stream] = level[stream] == 2 ? -1 : 2 }
            let next = (seqs[stream] ?? 0) + 1 + (rng.below(8) == 0 ? 1 : 0)
            seqs[stream] = next
            let body: InboundMessage.Body = switch rng.below(50) {
            case 0: .reset
            case 1: .observation(.symbol(1))
            default: .observation(.series([(level[stream] ?? -1) + 1.2 * (rng.uniform() - 0.5)]))
            }
            return ScriptedMessage(stream: stream, message: InboundMessage(body: body, seq: next, encoding: .json), now: 1_000 + Double(i))
        }
    }

    @Test("a restart at any point continues bit-identically: learners, pending segments, predictions")
    func restartContinuesIdentically() throws {
        let script = Self.script(count: 500, seed: 9)
        var reference = PredictionEngine(models: Self.models())
        let expected = CheckpointFixtures.run(script, on: &reference)
        let learners = reference.learning.gaussian.models
        #expect(learners["gf"].map { $0.publications >= 3 } == true && learners["gd"].map { $0.publications >= 3 } == true)
        #expect(learners["gf"]?.published != Self.hmm, "the script must move the parameters")
        for split in [29, 211, 430] {
            var first = PredictionEngine(models: Self.models())
            _ = CheckpointFixtures.run(script[..<split], on: &first)
            let bytes = CheckpointCodec.encode(first.checkpoint(createdAt: 1))
            #expect(bytes == CheckpointCodec.encode(first, createdAt: 1), "streamed and in-memory encodings agree")
            let decoded = try CheckpointCodec.decode(bytes)
            #expect(decoded.formatVersion == 4 && decoded.gaussianLearners == first.learning.gaussian.models)
            #expect(!decoded.gaussianContexts.isEmpty && decoded.hmmLearners.isEmpty)
            var resumed = PredictionEngine(models: Self.models())
            let report = resumed.restore(from: decoded)
            #expect(report.discardedSlowMemory.isEmpty && report.totalSkipped == 0, "\(report)")
            for (stream, entry) in first.learning.gaussian.contexts where entry.collector != nil {
                #expect(resumed.learning.gaussian.contexts[stream]?.collector == entry.collector, "\(stream)")
            }
            #expect(CheckpointCodec.encode(resumed.checkpoint(createdAt: 1)) == bytes, "restore then checkpoint: same bytes (split \(split))")
            let rest = CheckpointFixtures.run(script[split...], on: &resumed)
            for (i, (a, b)) in zip(expected[split...], rest).enumerated() {
                #expect(a.isBitwiseEqual(to: b), "split \(split), message \(split + i)")
            }
            #expect(resumed.learning.gaussian.models == learners, "split \(split)")
        }
    }

    @Test("changed learning options discard the learned memory with a reason; format 3 (no Gaussian section) still reads")
    func incompatibleOrOldCheckpoints() throws {
        var engine = PredictionEngine(models: Self.models())
        _ = CheckpointFixtures.run(Self.script(count: 200, seed: 4), on: &engine)
        var changed = PredictionEngine(models: Self.models(refresh: 3))
        let report = changed.restore(from: engine.checkpoint(createdAt: 1))
        #expect(report.discardedSlowMemory["gf"]?.contains("learn_refresh") == true, "\(report)")
        #expect(changed.learning.gaussian.models.isEmpty && changed.learning.gaussian.contexts.isEmpty)

        // A format-3 payload is a format-4 one without the two Gaussian sections (two zero counts when empty).
        var symbols = PredictionEngine(models: CheckpointHMMLearningTests.learningModels())
        _ = CheckpointFixtures.run(CheckpointFixtures.script(count: 200, seed: 4), on: &symbols)
        let current = symbols.checkpoint(createdAt: 1)
        var writer = ByteWriter()
        current.encodePayload(to: &writer)
        let v3 = try Checkpoint(payload: Array(writer.bytes.dropLast(16)), formatVersion: 3)
        var expected = current
        expected.formatVersion = 3
        #expect(v3 == expected)
        #expect(throws: StateDecodingError.self) { try Checkpoint(payload: Array(writer.bytes.dropLast(16)), formatVersion: 4) }
    }

    @Test("corrupt Gaussian learning sections behind a valid checksum never crash decode, restore or the next messages")
    func fuzzedGaussianSections() throws {
        var engine = PredictionEngine(models: Self.models())
        _ = CheckpointFixtures.run(Self.script(count: 300, seed: 12), on: &engine)
        let checkpoint = engine.checkpoint(createdAt: 1)
        var writer = ByteWriter(), head = ByteWriter()
        checkpoint.encodePayload(to: &writer)
        var without = checkpoint
        without.gaussianLearners = [:]
        without.gaussianContexts = []
        without.encodePayload(to: &head)
        let payload = writer.bytes, sectionStart = head.bytes.count - 16  // the two Gaussian sections close the payload
        let decoded = CheckpointFixtures.fuzz(payload, from: sectionStart, seed: 78, models: Self.models()) {
            Self.script(count: 60, seed: $0)
        }
        #expect(decoded > 0)
    }
}
