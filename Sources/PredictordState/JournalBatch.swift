/// The journal records of one poll batch, built in one reused buffer so the batch costs one write(2).
///
/// Messages handled at the same `now` share one record; ``seal()`` completes the open record (its length, count
/// and CRC-64) before ``bytes`` are written.
public struct JournalBatch: Sendable {
    /// Complete records once sealed (and the open record's bytes before).
    public private(set) var bytes: [UInt8] = []
    /// Offset of the open messages record's header, -1 when none is open.
    private var open = -1
    private var openNow: Double = 0
    private var count: UInt32 = 0

    public init() {}

    /// True when nothing was appended since the last ``removeAll()``.
    public var isEmpty: Bool { bytes.isEmpty }

    /// Appends one message (its topic and payload bytes) handled at `now`.
    public mutating func append(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, now: Double) {
        if open >= 0, openNow.bitPattern != now.bitPattern { seal() }
        if open < 0 { begin(.messages, now: now) }
        let t = UInt16(truncatingIfNeeded: topic.count)
        withUnsafeBytes(of: t.littleEndian) { bytes.append(contentsOf: $0) }
        JournalFormat.append(UInt32(truncatingIfNeeded: body.count), to: &bytes)
        bytes.append(contentsOf: topic)
        bytes.append(contentsOf: body)
        count &+= 1
    }

    /// Appends an idle-context sweep at `now` (after the messages before it).
    public mutating func appendEviction(now: Double) {
        seal()
        begin(.eviction, now: now)
        seal()
    }

    /// Completes the open record, if any.
    public mutating func seal() {
        guard open >= 0 else { return }
        let length = UInt32(bytes.count - open - JournalFormat.recordHeaderSize)
        bytes.withUnsafeMutableBytes { p in
            p.storeBytes(of: length.littleEndian, toByteOffset: open + 8, as: UInt32.self)
            p.storeBytes(of: count.littleEndian, toByteOffset: open + 12, as: UInt32.self)
        }
        var crc = CRC64()
        bytes.withUnsafeBytes { p in
            crc.update(buffer: UnsafeRawBufferPointer(rebasing: p[open..<(open + 24)]))
            crc.update(buffer: UnsafeRawBufferPointer(rebasing: p[(open + JournalFormat.recordHeaderSize)...]))
        }
        let value = crc.value
        bytes.withUnsafeMutableBytes { p in p.storeBytes(of: value.littleEndian, toByteOffset: open + 24, as: UInt64.self) }
        open = -1
        count = 0
    }

    /// Empties the batch, keeping its capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        open = -1
        count = 0
    }

    private mutating func begin(_ kind: JournalFormat.RecordKind, now: Double) {
        open = bytes.count
        openNow = now
        count = 0
        JournalFormat.append(JournalFormat.recordMagic, to: &bytes)
        bytes.append(kind.rawValue)
        bytes.append(contentsOf: [0, 0, 0])
        JournalFormat.append(UInt32(0), to: &bytes)  // payload length, set by seal()
        JournalFormat.append(UInt32(0), to: &bytes)  // message count, set by seal()
        JournalFormat.append(now.bitPattern, to: &bytes)
        JournalFormat.append(UInt64(0), to: &bytes)  // CRC-64, set by seal()
    }
}
