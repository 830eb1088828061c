import Foundation
import Logging
import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordConfig
@testable import PredictordService
import PredictordState
import Testing

/// The journal in process, without sockets: the poll loop's own steps (pipeline, record, flush, rotate at a
/// checkpoint snapshot, eviction records) and then a "crash": a fresh engine restored from the checkpoint plus the
/// journal replayed must hold exactly the live engine's fast and slow memory (the checkpoint bytes are compared).
@Suite("journal replay (in process)")
struct JournalReplayTests {
    /// The daemon tests' models (three of them learn slow memory) with an idle TTL, so sweeps evict streams.
    static func configuration(state: String) async throws -> DaemonConfiguration {
        var c = DaemonConfiguration()
        c.limits.idleTTLSeconds = 20
        c.limits.maxMessageBytes = 65536
        c.state.directory = state
        c.models = TestDaemonConfig.modelDefinitions
        // Through the renderer and the loader, as the daemon would read it.
        return try ConfigurationLoader.parse(yaml: ConfigurationRenderer.yaml(c), source: "journal-replay")
    }

    /// A fresh state directory (removed by the caller with `root`) and the configuration using it.
    static func setUp(_ label: String) async throws -> (root: URL, state: String, config: DaemonConfiguration) {
        let root = try Harness.temporaryDirectory(label)
        let state = root.appendingPathComponent("state").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        return (root, state, try await configuration(state: state))
    }

    /// Streams of every kind, and a few that appear after the first checkpoint and stop soon (idle, then evicted:
    /// an HMM learner ends their segment), so the replay must repeat the sweeps.
    static func workload() -> [WorkItem] {
        let late = Workload.make(seed: 31, perStream: 240, streams: [
            ("series/j", .series, .json), ("pairs/j", .pairs, .binary), ("kernel/j", .kernel, .json),
            ("weather/j", .weather, .binary), ("weather/learn-j", .weather, .json), ("weather-dual/j", .dual, .json),
        ])
        let early = Workload.make(seed: 32, perStream: 40, streams: [
            ("weather/learn-early", .weather, .json), ("kernel/early", .kernel, .binary), ("series/early", .series, .json),
        ])
        return Array(late[..<900]) + early + Array(late[900...])
    }

    /// What ``drive(_:config:state:)`` leaves: the live engine, checkpoint A (taken at batch 100, then the journal
    /// rotated) and its base, and how many sweeps evicted and how many messages reached the engine.
    struct Drive {
        var engine: PredictionEngine
        var checkpointA: [UInt8] = []
        var baseA = 0.0
        var evictions = 0
        var journaled = 0
    }

    /// The poll loop's steps over `items` in batches of 7 with the journal on: a sweep every 10 batches, checkpoint A
    /// at batch 100 (durable) and checkpoint B's rotation at batch 180 (its write never completes: the crash).
    static func drive(_ items: [WorkItem], config: DaemonConfiguration, state: String) throws -> Drive {
        var run = Drive(engine: PredictionEngine(models: config.models, limits: config.limits.engineLimits))
        var pipeline = MessagePipeline(maxMessageBytes: config.limits.maxMessageBytes)
        let journal = DaemonJournal(mode: .write, directory: state, logger: Logger(label: "journal-test"), health: DaemonHealth())
        journal.recover(engine: &run.engine, pipeline: &pipeline, base: nil, now: 0)
        #expect(journal.isAppending)
        let batch = 7
        for start in stride(from: 0, to: items.count, by: batch) {
            let now = 1_000 + Double(start / batch) * 0.5
            for item in items[start..<min(start + batch, items.count)] {
                let body = try item.payload()
                Array(item.stream.utf8).withUnsafeBytes { topic in
                    body.withUnsafeBytes { body in
                        _ = pipeline.handle(topic: topic, body: body, engine: &run.engine, now: now)
                        if pipeline.reachedEngine {
                            journal.record(topic: topic, body: body, now: now)
                            run.journaled += 1
                        }
                    }
                }
            }
            journal.flush(now: now)
            if start / batch % 10 == 9, run.engine.evictIdle(now: now) > 0 {
                run.evictions += 1
                journal.recordEviction(now: now)
                journal.flush(now: now)
            }
            if start / batch == 100 {
                // Checkpoint A is durable; the segments before the rotation would be deleted after it.
                run.baseA = now
                run.checkpointA = CheckpointCodec.encode(run.engine, createdAt: run.baseA)
                _ = journal.rotate(base: run.baseA, now: now)
            } else if start / batch == 180 {
                _ = journal.rotate(base: now, now: now)
            }
        }
        try #require(!run.checkpointA.isEmpty && run.evictions > 0, "the workload must reach the checkpoint and evict (evictions \(run.evictions))")
        return run
    }

    /// The restart: a fresh engine restored from checkpoint A, then the journal replayed.
    static func restart(config: DaemonConfiguration, state: String, from run: Drive) throws -> (engine: PredictionEngine, journal: DaemonJournal) {
        var restored = PredictionEngine(models: config.models, limits: config.limits.engineLimits)
        _ = restored.restore(from: try CheckpointCodec.decode(run.checkpointA))
        var pipeline = MessagePipeline(maxMessageBytes: config.limits.maxMessageBytes)
        let journal = DaemonJournal(mode: .write, directory: state, logger: Logger(label: "journal-test"), health: DaemonHealth())
        journal.recover(engine: &restored, pipeline: &pipeline, base: run.baseA, now: 2)
        return (restored, journal)
    }

    @Test("checkpoint + journal replay = the live engine, bit for bit (fast and slow memory), across two rotations, evictions and a torn tail")
    func replayEqualsLiveEngine() async throws {
        let (root, state, config) = try await Self.setUp("journal-replay")
        defer { try? FileManager.default.removeItem(at: root) }
        let items = Self.workload()
        let run = try Self.drive(items, config: config, state: state)
        let engine = run.engine
        let live = CheckpointCodec.encode(engine, createdAt: 1)
        #expect(engine.contexts.count == 6 + 0, "the early streams were all evicted: \(engine.contexts.keys.map(\.string))")
        #expect(!engine.learning.hmm.models.isEmpty && !engine.learning.softmax.models.isEmpty, "slow memory was learned")

        // A torn batch at the end (a write cut by the crash): cut at start, the rest replayed.
        let directory = JournalDirectory(directory: state)
        let segments = directory.segments()
        #expect(segments == [1, 2, 3], "segments \(segments)")
        let last = directory.path(seq: segments.last!)
        let handle = try #require(FileHandle(forWritingAtPath: last))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x50, 0x4A, 0x52, 0x31, 1, 0, 0, 0, 0xFF, 0, 0, 0]))
        try handle.close()

        let (restored, journal2) = try Self.restart(config: config, state: state, from: run)
        let replayed = CheckpointCodec.encode(restored, createdAt: 1)
        let identical = replayed == live
        #expect(identical, "replayed engine differs from the live one (\(replayed.count) vs \(live.count) checkpoint bytes)")
        // Segment 1 came before checkpoint A (deleted); 2 and 3 replayed; 3 continued with its torn tail cut.
        #expect(directory.segments() == [2, 3])
        let reader = try JournalSegmentReader(path: last)
        while reader.next() != nil {}
        #expect(reader.tornBytes == 0, "the torn tail was not cut")
        #expect(journal2.isAppending)
        #expect(run.journaled > items.count / 2, "only \(run.journaled) of \(items.count) messages reached the engine")
    }

    /// Gaussian-emission `forward` and `dual` models learning by online EM (and one that does not).
    static let gaussianModelsYAML = """
        models: [levels, levels-dual, levels-fixed]
        model:
          levels:
            { kind: forward, match: "series/", states: 2, transition: [0.9, 0.1, 0.2, 0.8], means: [0, 1.5], variances: [1, 1],
              learn: true, learn_segment: 16, learn_refresh: 1 }
          levels-dual:
            { kind: dual, match: "pairs/", window: 8, states: 2, transition: [0.9, 0.1, 0.2, 0.8], means: [0, 1.5],
              variances: [1, 1], learn: true, learn_segment: 16, learn_refresh: 2 }
          levels-fixed:
            { kind: forward, match: "kernel/", states: 2, transition: [0.9, 0.1, 0.2, 0.8], means: [0, 1.5], variances: [1, 1] }

        """

    @Test("the Gaussian twin: learned means, variances, A and μ replay from the journal bit for bit")
    func gaussianReplayEqualsLiveEngine() async throws {
        let (root, state, base) = try await Self.setUp("journal-replay-gaussian")
        defer { try? FileManager.default.removeItem(at: root) }
        var c = base
        c.models = TestDaemonConfig.definitions(Self.gaussianModelsYAML, source: "gaussianModelsYAML")
        let config = try ConfigurationLoader.parse(yaml: ConfigurationRenderer.yaml(c), source: "journal-replay-gaussian")
        // Series values on every prefix (queries are dropped by these models: their drops replay too).
        let late = Workload.make(seed: 41, perStream: 240, streams: [
            ("series/j", .series, .json), ("series/k", .series, .binary), ("pairs/j", .series, .json),
            ("pairs/k", .series, .binary), ("kernel/j", .series, .json),
        ])
        let early = Workload.make(seed: 42, perStream: 40, streams: [("series/early", .series, .json), ("pairs/early", .series, .binary)])
        let items = Array(late[..<700]) + early + Array(late[700...])
        let run = try Self.drive(items, config: config, state: state)
        let learned = run.engine.learning.gaussian.models
        #expect(learned["levels"].map { $0.publications > 10 } == true && learned["levels-dual"].map { $0.publications > 5 } == true)
        #expect(learned["levels-fixed"] == nil && run.engine.contexts.count == 5, "\(run.engine.contexts.keys.map(\.string))")
        let live = CheckpointCodec.encode(run.engine, createdAt: 1)
        let (restored, _) = try Self.restart(config: config, state: state, from: run)
        #expect(restored.learning.gaussian.models == learned)
        let identical = CheckpointCodec.encode(restored, createdAt: 1) == live
        #expect(identical, "replayed engine differs from the live one")
    }

    @Test("a segment that does not follow the loaded checkpoint is moved aside, not replayed")
    func foreignSegmentIsMovedAside() async throws {
        let (root, state, config) = try await Self.setUp("journal-orphan")
        defer { try? FileManager.default.removeItem(at: root) }
        var engine = PredictionEngine(models: config.models, limits: config.limits.engineLimits)
        var pipeline = MessagePipeline(maxMessageBytes: config.limits.maxMessageBytes)
        let journal = DaemonJournal(mode: .write, directory: state, logger: Logger(label: "t"), health: DaemonHealth())
        journal.recover(engine: &engine, pipeline: &pipeline, base: 5, now: 0)
        let body = Array(#"{"seq":1,"y":2}"#.utf8)
        Array("series/o".utf8).withUnsafeBytes { t in body.withUnsafeBytes { b in
            _ = pipeline.handle(topic: t, body: b, engine: &engine, now: 1)
            journal.record(topic: t, body: b, now: 1)
        } }
        journal.flush(now: 1)
        // Restarted against another checkpoint (createdAt 6): segment 1 follows checkpoint 5, so it cannot apply.
        var fresh = PredictionEngine(models: config.models, limits: config.limits.engineLimits)
        let again = DaemonJournal(mode: .off, directory: state, logger: Logger(label: "t"), health: DaemonHealth())
        again.recover(engine: &fresh, pipeline: &pipeline, base: 6, now: 2)
        #expect(fresh.contexts.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: state)
        #expect(names.contains { $0.hasPrefix("journal-000000000001.orphaned-") }, "\(names)")
        #expect(JournalDirectory(directory: state).segments().isEmpty)
        #expect(!again.isAppending)
    }
}
