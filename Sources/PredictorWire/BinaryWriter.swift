/// Writes binary v1 messages into a byte array sized up front, so encoding reuses the array's capacity.
///
/// Offsets are computed by the caller from the same counts that sized the array.
struct BinaryWriter {
    let bytes: UnsafeMutableRawBufferPointer

    /// Clears `out`, sizes it to `count` zero bytes and lets `body` fill it.
    static func fill(_ out: inout [UInt8], count: Int, _ body: (BinaryWriter) -> Void) {
        fill(&out, count: count, [], [], []) { w, _, _, _ in body(w) }
    }

    /// ``fill(_:count:_:)`` handing three arrays to `body` as arguments: a closure that captured the prediction
    /// holding them copied it (four array retains and releases per message).
    static func fill(
        _ out: inout [UInt8], count: Int, _ a: [Double], _ b: [Double], _ c: [Double],
        _ body: (BinaryWriter, [Double], [Double], [Double]) -> Void
    ) {
        if out.count == count {
            // Same size as the last message (the daemon's steady state): zero in place, no resize.
            _ = out.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        } else {
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: repeatElement(0, count: count))
        }
        out.withUnsafeMutableBytes { body(BinaryWriter(bytes: $0), a, b, c) }
    }

    /// The 24-byte header; absent `seq`/`ts` leave their flag clear and their bytes zero.
    func header(kind: BinaryV1.Kind, ny: Int, nx: Int, seq: UInt64?, ts: Double?, intervals: Bool = false) {
        bytes[0] = BinaryV1.version
        bytes[1] = kind.rawValue
        u16(UInt16(ny), at: 2)
        u16(UInt16(nx), at: 4)
        u16((seq != nil ? BinaryV1.flagSeq : 0) | (ts != nil ? BinaryV1.flagTs : 0) | (intervals ? BinaryV1.flagIntervals : 0), at: 6)
        u64(seq ?? 0, at: 8)
        f64(ts ?? 0, at: 16)
    }

    func u16(_ v: UInt16, at offset: Int) {
        bytes.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt16.self)
    }

    func u32(_ v: UInt32, at offset: Int) {
        bytes.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    func u64(_ v: UInt64, at offset: Int) {
        bytes.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    func f64(_ v: Double, at offset: Int) {
        u64(v.bitPattern, at: offset)
    }

    /// `count` doubles from `values` at `offset`, NaN past the end of `values`.
    func doubles(_ values: [Double], count: Int, at offset: Int) {
        for i in 0..<count {
            f64(i < values.count ? values[i] : .nan, at: offset + 8 * i)
        }
    }
}
