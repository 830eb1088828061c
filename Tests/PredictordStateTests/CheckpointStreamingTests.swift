import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordState
import Testing

/// The daemon's checkpoint path encodes context by context; its bytes must equal the materialised checkpoint's.
@Suite("Checkpoint streaming encode")
struct CheckpointStreamingTests {
    @Test("encoding an engine chunk by chunk gives the bytes of encoding its Checkpoint value")
    func chunkedEqualsMaterialised() throws {
        let engine = CheckpointFixtures.trainedEngine(messages: 300)
        let expected = CheckpointCodec.encode(engine.checkpoint(createdAt: 12.5))
        // Chunk sizes from "every context its own chunk" to "all in one".
        for chunkBytes in [1, 97, 1000, 32 << 20] {
            #expect(CheckpointCodec.encode(engine, createdAt: 12.5, chunkBytes: chunkBytes) == expected, "chunk \(chunkBytes)")
        }
        let decoded = try CheckpointCodec.decode(CheckpointCodec.encode(engine, createdAt: 12.5, chunkBytes: 64))
        #expect(decoded == engine.checkpoint(createdAt: 12.5))
        let empty = PredictionEngine(models: CheckpointFixtures.models())
        #expect(CheckpointCodec.encode(empty, createdAt: 0) == CheckpointCodec.encode(empty.checkpoint(createdAt: 0)))
    }

    @Test("the store's streamed engine write produces the same file as writing the Checkpoint value")
    func storeWritesEngine() throws {
        let engine = CheckpointFixtures.trainedEngine(messages: 200)
        let expected = CheckpointCodec.encode(engine.checkpoint(createdAt: 7))
        // From a buffer smaller than one context record (many pieces, header patched last) to one piece.
        for bufferBytes in [1, 97, 4096, 1 << 20] {
            let dir = TemporaryDirectory()
            let store = try CheckpointStore(directory: dir.path)
            let result = try store.write(engine, createdAt: 7, bufferBytes: bufferBytes)
            #expect(result.contexts == engine.contexts.count)
            #expect(result.models == engine.models.count)
            let file = try #require(dir.bytes("checkpoint.bin"))
            #expect(result.bytes == file.count)
            #expect(file == expected, "buffer \(bufferBytes)")
            #expect(dir.bytes("checkpoint.tmp") == nil)
            #expect(try CheckpointCodec.decode(file) == engine.checkpoint(createdAt: 7))
        }
    }

    /// Canonically equivalent but byte-different stream ids stay two contexts through a checkpoint and restore.
    @Test("canonically equivalent stream ids survive a checkpoint as separate contexts")
    func canonicallyEquivalentStreams() throws {
        let composed = "ar/caf\u{E9}", decomposed = "ar/cafe\u{301}"
        var engine = PredictionEngine(models: CheckpointFixtures.models())
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for t in 0..<12 {
            for (stream, y) in [(composed, Double(t)), (decomposed, -3 * Double(t % 4))] {
                try engine.process(
                    stream: stream, message: InboundMessage(body: .observation(.series([y])), encoding: .json), now: 1,
                    into: &out)
            }
        }
        #expect(engine.contexts.count == 2)
        let checkpoint = try CheckpointCodec.decode(CheckpointCodec.encode(engine, createdAt: 0))
        #expect(Set(checkpoint.contexts.map(\.stream)) == [Array(composed.utf8), Array(decomposed.utf8)])
        var resumed = PredictionEngine(models: CheckpointFixtures.models())
        #expect(resumed.restore(from: checkpoint).restored == 2)
        for stream in [composed, decomposed] {
            let key = StreamKey(stream)
            #expect(resumed.contexts[key]?.predictor.encodedState() == engine.contexts[key]?.predictor.encodedState())
        }
        #expect(resumed.contexts[StreamKey(composed)]?.predictor.encodedState()
            != resumed.contexts[StreamKey(decomposed)]?.predictor.encodedState())
    }

    /// The daemon checkpoints a copy of the engine in the background while the poll loop keeps stepping it; the
    /// contexts' predictor boxes are shared until written, so the copy must not see the later steps.
    @Test("a snapshot keeps its contexts while the engine it was copied from keeps learning")
    func snapshotIsolation() throws {
        var engine = CheckpointFixtures.trainedEngine(messages: 150)
        let snapshot = engine
        let before = CheckpointCodec.encode(snapshot, createdAt: 1)
        _ = CheckpointFixtures.run(CheckpointFixtures.script(count: 200, seed: 9), on: &engine)
        #expect(CheckpointCodec.encode(snapshot, createdAt: 1) == before)
        #expect(CheckpointCodec.encode(engine, createdAt: 1) != before)
        #expect(before == CheckpointCodec.encode(CheckpointFixtures.trainedEngine(messages: 150), createdAt: 1))
    }
}
