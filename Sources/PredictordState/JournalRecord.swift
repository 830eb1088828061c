/// One record read back from a journal segment: a poll batch's messages or an eviction sweep, at the batch's `now`.
public struct JournalRecord: Sendable {
    public var kind: JournalFormat.RecordKind
    /// The poll loop's clock (seconds since 1970) when the batch was handled.
    public var now: Double
    /// Messages in a `.messages` record.
    public var count: Int
    /// The record's payload: per message u16 topic length, u32 payload length, topic bytes, payload bytes.
    public var payload: [UInt8]

    /// Calls `body` with each message's topic and payload bytes, in order; false if the payload does not parse
    /// (impossible for a record whose checksum matched, unless written by a foreign tool).
    public func forEachMessage(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> Bool {
        payload.withUnsafeBytes { p in
            var offset = 0
            for _ in 0..<count {
                guard offset + 6 <= p.count else { return false }
                let t = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                let b = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self)))
                offset += 6
                guard offset + t + b <= p.count else { return false }
                body(UnsafeRawBufferPointer(rebasing: p[offset..<(offset + t)]),
                     UnsafeRawBufferPointer(rebasing: p[(offset + t)..<(offset + t + b)]))
                offset += t + b
            }
            return offset == p.count
        }
    }
}
