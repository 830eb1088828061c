import PredictorCore
import PredictorEngine
import PredictordState
import Testing

@Suite("Checkpoint corruption")
struct CheckpointCorruptionTests {
    /// Bytes of a small but complete checkpoint (every model kind, a few contexts).
    static func smallCheckpoint() -> [UInt8] {
        CheckpointCodec.encode(CheckpointFixtures.trainedEngine(messages: 30).checkpoint(createdAt: 3))
    }

    /// A file with a valid header (right length and checksum) around `payload`, claiming `version`.
    static func framed(_ payload: [UInt8], version: UInt32 = Checkpoint.currentFormatVersion, flags: UInt32 = 0) -> [UInt8] {
        var w = ByteWriter()
        w.write(raw: Array("PREDICTD".utf8))
        w.write(version)
        w.write(flags)
        w.write(UInt64(payload.count))
        var crc = CRC64()
        crc.update(w.bytes[8..<24])
        crc.update(payload)
        w.write(crc.value)
        w.write(raw: payload)
        return w.bytes
    }

    /// Writes `bytes` as the checkpoint, loads it and checks it was moved aside intact with an error of `kind`.
    func expectMovedAside(_ bytes: [UInt8], kind: CheckpointError.Kind, mentioning text: String) throws {
        let dir = TemporaryDirectory()
        dir.write("checkpoint.bin", bytes)
        let store = try CheckpointStore(directory: dir.path)
        guard case let .movedAside(reason, to) = try store.load() else {
            Issue.record("expected the file to be moved aside")
            return
        }
        #expect(reason.kind == kind)
        #expect(reason.description.contains(text), "\(reason)")
        #expect(reason.description.contains(store.checkpointPath))
        #expect(to.hasPrefix(dir.path + "/checkpoint.corrupt-") && to.hasSuffix("Z.bin"))
        let name = String(to.dropFirst(dir.path.count + 1))
        #expect(dir.bytes(name) == bytes, "the bad file is kept byte for byte")
        #expect(!dir.exists("checkpoint.bin"))
        #expect(try store.load() == .none)
    }

    @Test("a flipped byte anywhere after the magic is detected; in the payload it is a checksum error")
    func checkpointFlippedByteEverywhere() throws {
        let bytes = Self.smallCheckpoint()
        for i in 8..<bytes.count {
            var bad = bytes
            bad[i] ^= 0x5A
            do {
                _ = try CheckpointCodec.decode(bad)
                Issue.record("byte \(i) flipped was not detected")
            } catch {
                // Version bytes read as a newer format, length bytes as truncation; flags, checksum and payload as corruption.
                let expected: CheckpointError.Kind = i < 12 ? .newerFormat : (16..<24).contains(i) ? .truncated : .corrupt
                #expect(error.kind == expected, "byte \(i): \(error)")
            }
        }
    }

    @Test("a flipped payload byte on disk: moved aside with a checksum error")
    func checkpointFlippedByteMovedAside() throws {
        var bytes = Self.smallCheckpoint()
        bytes[bytes.count / 2] ^= 0x01
        try expectMovedAside(bytes, kind: .corrupt, mentioning: "checksum mismatch")
    }

    @Test("a truncated file: moved aside as truncated")
    func checkpointTruncatedMovedAside() throws {
        let bytes = Self.smallCheckpoint()
        try expectMovedAside(Array(bytes.dropLast(100)), kind: .truncated, mentioning: "truncated")
        try expectMovedAside(Array(bytes.prefix(20)), kind: .truncated, mentioning: "truncated")
        try expectMovedAside([], kind: .truncated, mentioning: "truncated")
        try expectMovedAside(bytes + [0], kind: .truncated, mentioning: "after the announced")
    }

    @Test("a foreign file: moved aside as not a predictord checkpoint")
    func checkpointGarbageMovedAside() throws {
        var rng = CheckpointRNG(seed: 9)
        let garbage = (0..<5000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try expectMovedAside(garbage, kind: .notACheckpoint, mentioning: "not a predictord checkpoint")
        try expectMovedAside(Array("{\"models\":[]}\n".utf8), kind: .notACheckpoint, mentioning: "not a predictord checkpoint")
    }

    @Test("a checkpoint from a newer predictord: moved aside, asking to upgrade")
    func checkpointNewerVersionMovedAside() throws {
        let newer = Self.framed([1, 2, 3], version: Checkpoint.currentFormatVersion + 1)
        try expectMovedAside(newer, kind: .newerFormat, mentioning: "written by a newer predictord (format \(Checkpoint.currentFormatVersion + 1)")
        let flagged = Self.framed(Array(Self.smallCheckpoint().dropFirst(CheckpointCodec.headerSize)), flags: 1)
        try expectMovedAside(flagged, kind: .newerFormat, mentioning: "upgrade")
    }

    @Test("a payload that passes the checksum but does not decode: moved aside as undecodable")
    func checkpointUndecodablePayloadMovedAside() throws {
        try expectMovedAside(Self.framed([1, 2, 3]), kind: .undecodable, mentioning: "does not decode")
        let trailing = Array(Self.smallCheckpoint().dropFirst(CheckpointCodec.headerSize)) + [0]
        try expectMovedAside(Self.framed(trailing), kind: .undecodable, mentioning: "trailing")
    }

    @Test("every truncation length of a small checkpoint is refused, none crashes")
    func checkpointEveryTruncation() {
        let bytes = Self.smallCheckpoint()
        for n in 0..<bytes.count {
            #expect(throws: CheckpointError.self, "prefix of \(n) bytes") { try CheckpointCodec.decode(Array(bytes.prefix(n))) }
        }
        #expect((try? CheckpointCodec.decode(bytes)) != nil)
    }

    @Test("payload corruption behind a valid checksum never crashes decode or restore")
    func checkpointFuzzedPayloadBehindValidChecksum() throws {
        let payload = Array(Self.smallCheckpoint().dropFirst(CheckpointCodec.headerSize))
        var rng = CheckpointRNG(seed: 2024)
        var decoded = 0
        for _ in 0..<2000 {
            var bad = payload
            for _ in 0..<(1 + rng.below(3)) {
                let i = rng.below(bad.count)
                switch rng.below(3) {
                case 0: bad[i] ^= UInt8(1) << UInt8(rng.below(8))
                case 1: bad[i] = UInt8(truncatingIfNeeded: rng.next())
                default: bad[i] = 0xFF
                }
            }
            guard let checkpoint = try? CheckpointCodec.decode(Self.framed(bad)) else { continue }
            decoded += 1
            var engine = PredictionEngine(models: CheckpointFixtures.models())
            let report = engine.restore(from: checkpoint)
            #expect(report.restored + report.totalSkipped == checkpoint.contexts.count)
            // Whatever was restored keeps working (or refuses messages) without trapping.
            _ = CheckpointFixtures.run(CheckpointFixtures.script(count: 40, seed: rng.next()), on: &engine)
        }
        #expect(decoded > 0)
    }
}
