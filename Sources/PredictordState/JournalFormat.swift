/// The byte layout of journal segments (pure): a checksummed segment header naming the checkpoint the segment
/// follows, then checksummed records, each one poll batch of messages or one eviction sweep (docs/reliability.md).
///
/// All integers little-endian. A record is valid only as a whole (its CRC-64 covers header and payload), so a
/// write torn by a crash is recognised and cut at start.
public enum JournalFormat {
    /// `PDJOURN1`, the first 8 bytes of every segment.
    static let segmentMagic: [UInt8] = Array("PDJOURN1".utf8)
    /// Magic (8), seq (8), flags (8), base (8), previous seq (8), previous length (8), CRC-64 of the rest (8).
    public static let segmentHeaderSize = 56
    /// `PJR1` as a little-endian UInt32, the first 4 bytes of every record.
    static let recordMagic: UInt32 = 0x3152_4A50
    /// Magic (4), kind (1), reserved (3), payload length (4), message count (4), now (8), CRC-64 (8).
    public static let recordHeaderSize = 32
    /// Largest payload a record may declare; anything larger is a torn or foreign tail.
    static let maxPayload = 1 << 30

    /// What a segment continues from: its header.
    public struct SegmentHeader: Sendable, Equatable {
        /// Position in the directory's sequence of segments (file `journal-<seq>.log`).
        public var seq: UInt64
        /// `createdAt` of the checkpoint whose snapshot this segment follows; nil: it follows an empty start.
        public var base: Double?
        /// The segment this one continues, and that segment's length when it was closed: replay goes on from it
        /// into this one only if it read exactly that many valid bytes. Nil when it continues nothing.
        public var previous: (seq: UInt64, length: UInt64)?

        public init(seq: UInt64, base: Double?, previous: (seq: UInt64, length: UInt64)?) {
            self.seq = seq
            self.base = base
            self.previous = previous
        }

        public static func == (a: SegmentHeader, b: SegmentHeader) -> Bool {
            a.seq == b.seq && a.base?.bitPattern == b.base?.bitPattern
                && a.previous?.seq == b.previous?.seq && a.previous?.length == b.previous?.length
        }
    }

    /// The kind byte of a record.
    public enum RecordKind: UInt8, Sendable {
        /// The messages of one poll batch that reached the engine, in order, all handled at `now`.
        case messages = 1
        /// An idle-context sweep (`evictIdle(now:)`), which changes learned slow memory.
        case eviction = 2
    }

    public static func encode(_ header: SegmentHeader) -> [UInt8] {
        var bytes = segmentMagic
        bytes.reserveCapacity(segmentHeaderSize)
        append(header.seq, to: &bytes)
        append(UInt64(header.base == nil ? 0 : 1) | UInt64(header.previous == nil ? 0 : 2), to: &bytes)
        append(header.base?.bitPattern ?? 0, to: &bytes)
        append(header.previous?.seq ?? 0, to: &bytes)
        append(header.previous?.length ?? 0, to: &bytes)
        append(CRC64.checksum(bytes), to: &bytes)
        return bytes
    }

    /// The header of a segment file's first bytes, or nil when they are not a valid segment header.
    public static func decodeSegmentHeader(_ bytes: [UInt8]) -> SegmentHeader? {
        guard bytes.count >= segmentHeaderSize, Array(bytes[0..<8]) == segmentMagic,
              CRC64.checksum(bytes[0..<48]) == load64(bytes, 48) else { return nil }
        let flags = load64(bytes, 16)
        return SegmentHeader(
            seq: load64(bytes, 8),
            base: flags & 1 != 0 ? Double(bitPattern: load64(bytes, 24)) : nil,
            previous: flags & 2 != 0 ? (load64(bytes, 32), load64(bytes, 40)) : nil)
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func load64(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }

    static func load32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    }
}
