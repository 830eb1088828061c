import PredictorCore

/// The checkpoint file format: a 32-byte header, then the ``Checkpoint`` payload.
///
/// Header (little-endian): magic `PREDICTD` (8 bytes), format version u32, flags u32 (0 in format 1), payload length u64,
/// CRC-64/XZ u64 of header bytes 8..<24 (version, flags, length) followed by the payload.
public enum CheckpointCodec {
    public static let magic: [UInt8] = Array("PREDICTD".utf8)
    public static let headerSize = 32

    /// The complete file bytes of `checkpoint` (always written in ``Checkpoint/currentFormatVersion``).
    public static func encode(_ checkpoint: Checkpoint) -> [UInt8] {
        var payload = ByteWriter(reservingCapacity: 64 + checkpoint.contexts.count * 256)
        checkpoint.encodePayload(to: &payload)
        var header = ByteWriter(reservingCapacity: headerSize + payload.bytes.count)
        header.write(raw: magic)
        header.write(Checkpoint.currentFormatVersion)
        header.write(UInt32(0))
        header.write(UInt64(payload.bytes.count))
        var crc = CRC64()
        crc.update(header.bytes[8..<24])
        crc.update(payload.bytes)
        header.write(crc.value)
        header.write(raw: payload.bytes)
        return header.bytes
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
        var header = ByteReader(Array(bytes[magic.count..<headerSize]))
        // The reads below cannot fail: the header has exactly 24 bytes after the magic.
        let version = (try? header.readUInt32()) ?? 0
        let flags = (try? header.readUInt32()) ?? 0
        let length = (try? header.readUInt64()) ?? 0
        let checksum = (try? header.readUInt64()) ?? 0
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
            return try Checkpoint(payload: Array(bytes[headerSize...]), formatVersion: version)
        } catch {
            throw CheckpointError(.undecodable, "checkpoint payload does not decode (\(error.reason)); it cannot be restored")
        }
    }

    private static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16, uppercase: true) }
}
