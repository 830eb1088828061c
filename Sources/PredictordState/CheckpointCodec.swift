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

    /// The file bytes of `engine`'s checkpoint, identical to `encode(engine.checkpoint(createdAt:))`, built from
    /// ``stream(_:createdAt:chunkBytes:emit:)`` (for tests and tools; the daemon streams straight to the file).
    public static func encode(_ engine: PredictionEngine, createdAt: Double, chunkBytes: Int = 1 << 20) -> [UInt8] {
        var bytes: [UInt8] = []
        _ = stream(engine, createdAt: createdAt, chunkBytes: chunkBytes) { piece in
            bytes.append(contentsOf: piece)
            return true
        }
        seal(&bytes)
        return bytes
    }

    /// Encodes `engine`'s checkpoint context by context into one reused buffer of about `chunkBytes`, handing each
    /// filled piece to `emit`: the header comes first with its length and checksum zero (see
    /// ``header(payloadLength:feedPayload:)``). Returns the total bytes emitted, or nil once `emit` returns false.
    ///
    /// Peak memory is the engine plus one piece: no record of every context and no file image is ever held.
    public static func stream(
        _ engine: PredictionEngine, createdAt: Double, chunkBytes: Int, emit: (UnsafeRawBufferPointer) -> Bool
    ) -> Int? {
        var chunk = ByteWriter(reservingCapacity: min(max(chunkBytes, 4096), 64 << 20) + 65536)
        var total = 0, stopped = false
        func flush() {
            guard !stopped, !chunk.bytes.isEmpty else { return }
            total += chunk.bytes.count
            stopped = !chunk.bytes.withUnsafeBytes(emit)
            chunk.removeAll()
        }
        writeHeader(to: &chunk)
        Checkpoint.encodePayloadHead(
            createdAt: createdAt, models: engine.checkpointModels, contextCount: engine.contexts.count, to: &chunk)
        engine.forEachCheckpointContext { context in
            guard !stopped else { return }
            context.encode(to: &chunk)
            if chunk.bytes.count >= chunkBytes { flush() }
        }
        Checkpoint.encodePayloadTail(
            priorLearners: engine.learning.priors, hmmLearners: engine.learning.hmm.models,
            hmmContexts: engine.checkpointHMMContexts, softmaxLearners: engine.learning.softmax.models,
            gaussianLearners: engine.learning.gaussian.models, gaussianContexts: engine.checkpointGaussianContexts, to: &chunk)
        flush()
        return stopped ? nil : total
    }

    /// The sealed 32-byte header for a payload of `payloadLength` bytes; `feedPayload` feeds the payload, in
    /// order, to the checksum (which covers header bytes 8..<24 first).
    public static func header<E: Error>(
        payloadLength: Int, feedPayload: (inout CRC64) throws(E) -> Void
    ) throws(E) -> [UInt8] {
        var writer = ByteWriter(reservingCapacity: headerSize)
        writeHeader(to: &writer)
        var bytes = writer.bytes
        patch(UInt64(payloadLength), at: 16, in: &bytes)
        var crc = CRC64()
        crc.update(bytes[8..<24])
        try feedPayload(&crc)
        patch(crc.value, at: 24, in: &bytes)
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
        let header = Self.header(payloadLength: bytes.count - headerSize) { $0.update(bytes[headerSize...]) }
        bytes.replaceSubrange(0..<headerSize, with: header)
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
