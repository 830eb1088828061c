import PredictorCore
import PredictorEngine

/// The checkpoint file format: a 32-byte header, then the ``Checkpoint`` payload.
///
/// Header (little-endian): magic `PREDICTD` (8 bytes), format version u32, flags u32 (0 in format 1), payload length u64,
/// CRC-64/XZ u64 of header bytes 8..<24 (version, flags, length) followed by the payload.
public enum CheckpointCodec {
    public static let magic: [UInt8] = Array("PREDICTD".utf8)
    public static let headerSize = 32

    /// The complete file bytes of `checkpoint` (always written in ``Checkpoint/currentFormatVersion``).
    public static func encode(_ checkpoint: Checkpoint) -> [UInt8] {
        // Header and payload share one buffer; the header's length and checksum are patched in afterwards.
        var writer = ByteWriter(reservingCapacity: headerSize + 64 + checkpoint.contexts.count * 256)
        writeHeader(to: &writer)
        checkpoint.encodePayload(to: &writer)
        var bytes = writer.bytes
        writer = ByteWriter(reservingCapacity: 0)  // drop the writer's reference so patching does not copy
        seal(&bytes)
        return bytes
    }

    /// The file bytes of `engine`'s checkpoint, identical to `encode(engine.checkpoint(createdAt:))`, without holding
    /// every context's record at once: records are encoded one by one into `chunkBytes` chunks, which are then
    /// copied into the exact-size result and freed one at a time (peak ≈ file size + one chunk, instead of records +
    /// a doubling buffer + the file, which doubled the daemon's RSS at its final checkpoint).
    public static func encode(_ engine: PredictionEngine, createdAt: Double, chunkBytes: Int = 32 << 20) -> [UInt8] {
        var chunk = ByteWriter(reservingCapacity: 4096)
        writeHeader(to: &chunk)
        Checkpoint.encodePayloadHead(
            createdAt: createdAt, models: engine.checkpointModels, contextCount: engine.contexts.count, to: &chunk)
        var chunks: [[UInt8]] = []
        engine.forEachCheckpointContext { context in
            context.encode(to: &chunk)
            if chunk.bytes.count >= chunkBytes {
                chunks.append(chunk.bytes)
                chunk = ByteWriter(reservingCapacity: chunkBytes + 65536)
            }
        }
        Checkpoint.encodePayloadTail(
            priorLearners: engine.priorLearners, hmmLearners: engine.hmmLearning.models,
            hmmContexts: engine.checkpointHMMContexts, softmaxLearners: engine.softmaxTuning.models, to: &chunk)
        chunks.append(chunk.bytes)
        chunk = ByteWriter(reservingCapacity: 0)
        let total = chunks.reduce(0) { $0 + $1.count }
        var bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            for i in chunks.indices {
                chunks[i].withUnsafeBufferPointer { part in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[initialized..<(initialized + part.count)]).initialize(from: part)
                }
                initialized += chunks[i].count
                chunks[i] = []  // freed now, so the chunks and the result are never both held in full
            }
        }
        seal(&bytes)
        return bytes
    }

    /// The 32-byte header with zero length and checksum (patched by ``seal(_:)``).
    private static func writeHeader(to writer: inout ByteWriter) {
        writer.write(raw: magic)
        writer.write(Checkpoint.currentFormatVersion)
        writer.write(UInt32(0))
        writer.write(UInt64(0))
        writer.write(UInt64(0))
    }

    /// Patches the payload length and the CRC-64 of header bytes 8..<24 plus the payload into the header.
    private static func seal(_ bytes: inout [UInt8]) {
        patch(UInt64(bytes.count - headerSize), at: 16, in: &bytes)
        var crc = CRC64()
        crc.update(bytes[8..<24])
        crc.update(bytes[headerSize...])
        patch(crc.value, at: 24, in: &bytes)
    }

    private static func patch(_ value: UInt64, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// Decodes file bytes, checking magic, version, length and checksum before the payload; never traps.
    public static func decode(_ bytes: [UInt8]) throws(CheckpointError) -> Checkpoint {
        let prefix = bytes.prefix(magic.count)
        guard prefix.elementsEqual(magic.prefix(prefix.count)) else {
            throw CheckpointError(
                .notACheckpoint,
                "not a predictord checkpoint (no PREDICTD magic); it was moved aside, the daemon starts with empty contexts")
        }
        guard bytes.count >= headerSize else {
            throw CheckpointError(
                .truncated,
                "truncated checkpoint: \(bytes.count) bytes, shorter than the \(headerSize)-byte header (interrupted copy or disk error)")
        }
        var reader = ByteReader(bytes)
        // The reads below cannot fail: the file has at least the 32 header bytes.
        _ = try? reader.readRaw(count: magic.count)
        let version = (try? reader.readUInt32()) ?? 0
        let flags = (try? reader.readUInt32()) ?? 0
        let length = (try? reader.readUInt64()) ?? 0
        let checksum = (try? reader.readUInt64()) ?? 0
        guard version <= Checkpoint.currentFormatVersion else {
            throw CheckpointError(
                .newerFormat,
                "written by a newer predictord (format \(version); this build reads up to \(Checkpoint.currentFormatVersion)); "
                    + "upgrade predictord or move the file aside")
        }
        guard version >= 1 else { throw CheckpointError(.corrupt, "corrupt checkpoint: format version 0 does not exist") }
        let actual = UInt64(bytes.count - headerSize)
        guard actual == length else {
            throw CheckpointError(
                .truncated,
                actual < length
                    ? "truncated checkpoint: header announces \(length) payload bytes, file has \(actual)"
                    : "checkpoint has \(actual - length) bytes after the announced \(length)-byte payload (corrupt or appended to)")
        }
        var crc = CRC64()
        crc.update(bytes[8..<24])
        crc.update(bytes[headerSize...])
        guard crc.value == checksum else {
            throw CheckpointError(
                .corrupt,
                "corrupt checkpoint: checksum mismatch (CRC-64 stored \(hex(checksum)), computed \(hex(crc.value))); "
                    + "the bytes changed after writing (disk or copy error)")
        }
        guard flags == 0 else {
            throw CheckpointError(
                .newerFormat,
                "checkpoint uses flags \(hex(UInt64(flags))) unknown to this build; upgrade predictord or move the file aside")
        }
        do {
            return try Checkpoint(payloadFrom: &reader, formatVersion: version)
        } catch {
            throw CheckpointError(.undecodable, "checkpoint payload does not decode (\(error.reason)); it cannot be restored")
        }
    }

    private static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16, uppercase: true) }
}
