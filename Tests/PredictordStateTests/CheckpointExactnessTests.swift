import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordState
import Testing

@Suite("Checkpoint exactness")
struct CheckpointExactnessTests {
    @Test("restored engine continues bit-identically to an uninterrupted one, through a real file")
    func restoredEngineMatchesUninterrupted() throws {
        let script = CheckpointFixtures.script(count: 400)
        let middle = 190
        var uninterrupted = PredictionEngine(models: CheckpointFixtures.models())
        let expected = CheckpointFixtures.run(script, on: &uninterrupted)

        var first = PredictionEngine(models: CheckpointFixtures.models())
        _ = CheckpointFixtures.run(script[..<middle], on: &first)
        #expect(first.contexts.count == CheckpointFixtures.streams.count)
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        let written = try store.write(first.checkpoint(createdAt: 1_700_000_000))
        #expect(written.contexts == CheckpointFixtures.streams.count)
        #expect(written.bytes == dir.bytes("checkpoint.bin")?.count)

        guard case let .loaded(checkpoint) = try store.load() else {
            Issue.record("the checkpoint just written did not load")
            return
        }
        #expect(checkpoint.createdAt == 1_700_000_000)
        var resumed = PredictionEngine(models: CheckpointFixtures.models())
        let report = resumed.restore(from: checkpoint)
        #expect(report.restored == CheckpointFixtures.streams.count)
        #expect(report.skipped.isEmpty)
        for (stream, context) in first.contexts {
            let restored = try #require(resumed.contexts[stream])
            #expect(restored.model == context.model)
            #expect(restored.lastSeq == context.lastSeq)
            #expect(restored.lastActive.bitPattern == context.lastActive.bitPattern)
            #expect(restored.predictor.encodedState() == context.predictor.encodedState())
        }

        let actual = CheckpointFixtures.run(script[middle...], on: &resumed)
        var predictions = 0
        for (i, outcome) in actual.enumerated() {
            #expect(outcome.isBitwiseEqual(to: expected[middle + i]), "message \(middle + i) (\(script[middle + i].stream))")
            if case .prediction = outcome { predictions += 1 }
        }
        #expect(predictions > 150)
        let refused = actual.filter { if case .dropped("seq_not_increasing") = $0 { true } else { false } }.count
        #expect(refused > 0, "the script repeats some seqs after the checkpoint")
        // Same fast memory at the end: the final checkpoints are byte-identical.
        #expect(
            CheckpointCodec.encode(resumed.checkpoint(createdAt: 0)) == CheckpointCodec.encode(uninterrupted.checkpoint(createdAt: 0)))
    }

    @Test("sequence numbers survive a checkpoint: a repeated seq is still refused after restore")
    func lastSeqContinues() throws {
        var engine = PredictionEngine(models: CheckpointFixtures.models())
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for seq in UInt64(1)...5 {
            try engine.process(
                stream: "ar/a", message: InboundMessage(body: .observation(.series([Double(seq)])), seq: seq, encoding: .json),
                now: Double(seq), into: &out)
        }
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        try store.write(engine.checkpoint(createdAt: 0))
        guard case let .loaded(checkpoint) = try store.load() else {
            Issue.record("checkpoint did not load")
            return
        }
        var resumed = PredictionEngine(models: CheckpointFixtures.models())
        resumed.restore(from: checkpoint)
        #expect(resumed.contexts["ar/a"]?.lastSeq == 5)
        for seq: UInt64 in [5, 3] {
            #expect(throws: EngineDrop.self) {
                try resumed.process(
                    stream: "ar/a", message: InboundMessage(body: .observation(.series([0])), seq: seq, encoding: .json),
                    now: 10, into: &out)
            }
        }
        #expect(resumed.counters.drops["seq_not_increasing"] == 2)
        try resumed.process(
            stream: "ar/a", message: InboundMessage(body: .observation(.series([6])), seq: 6, encoding: .json), now: 11,
            into: &out)
        #expect(out.seq == 7)
        #expect(out.prediction.count == 6)
    }

    @Test("checkpoint bytes are deterministic and round-trip through the codec")
    func checkpointRoundTrip() throws {
        let engine = CheckpointFixtures.trainedEngine()
        let checkpoint = engine.checkpoint(createdAt: 12.5)
        let bytes = CheckpointCodec.encode(checkpoint)
        #expect(bytes == CheckpointCodec.encode(engine.checkpoint(createdAt: 12.5)))
        #expect(Array(bytes.prefix(8)) == Array("PREDICTD".utf8))
        let decoded = try CheckpointCodec.decode(bytes)
        #expect(decoded == checkpoint)
        #expect(decoded.formatVersion == Checkpoint.currentFormatVersion)
        #expect(decoded.models.map(\.name) == engine.models.map(\.name))
        for (model, definition) in zip(decoded.models, engine.models) { #expect(try model.decodeSpec() == definition.spec) }
        #expect(decoded.contexts.map(\.stream) == decoded.contexts.map(\.stream).sorted { $0.lexicographicallyPrecedes($1) })
        #expect(decoded.contexts.contains { $0.stream == Array("ar/é-ü".utf8) })
    }

    @Test("an empty engine checkpoints and restores to nothing")
    func emptyEngine() throws {
        let engine = PredictionEngine(models: CheckpointFixtures.models())
        let decoded = try CheckpointCodec.decode(CheckpointCodec.encode(engine.checkpoint(createdAt: 0)))
        #expect(decoded.contexts.isEmpty)
        var fresh = PredictionEngine(models: [])
        #expect(fresh.restore(from: decoded) == RestoreReport())
    }

    @Test("CRC-64/XZ matches its published check value")
    func checkpointCRC64CheckValue() {
        #expect(CRC64.checksum(Array("123456789".utf8)) == 0x995D_C9BB_DF19_39FA)
        #expect(CRC64.checksum([UInt8]()) == 0)
        // Split feeding (any boundary, slicing-by-8 and the byte tail) equals one call.
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for cut in [0, 1, 7, 8, 9, 500, 999, 1000] {
            var crc = CRC64()
            crc.update(data[..<cut])
            crc.update(data[cut...])
            #expect(crc.value == CRC64.checksum(data))
        }
    }
}
