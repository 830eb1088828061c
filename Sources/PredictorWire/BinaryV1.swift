/// Binary v1 layout (see the protocol page): constants, kinds and bounds-checked little-endian reads.
///
/// Every read here is at an offset the caller has already checked against the payload length.
enum BinaryV1 {
    static let version: UInt8 = 0x01
    static let headerSize = 24
    /// Flag bit 0: `seq` present.
    static let flagSeq: UInt16 = 1
    /// Flag bit 1: `ts` present.
    static let flagTs: UInt16 = 2
    /// Flag bit 2 (predictions only): an interval block follows the body.
    static let flagIntervals: UInt16 = 4
    /// Flag bit 3 (predictions only): the answer to a state message (kind 5), not a new prediction.
    static let flagState: UInt16 = 8
    /// Largest count a u16 header field can carry.
    static let maxCount = Int(UInt16.max)

    /// Message kinds (header byte 1).
    enum Kind: UInt8 {
        case series = 0, labelled = 1, query = 2, symbol = 3, reset = 4, state = 5
        case realPrediction = 16, symbolPrediction = 17

        var name: String {
            switch self {
            case .series: "series"
            case .labelled: "labelled"
            case .query: "query"
            case .symbol: "symbol"
            case .reset: "reset"
            case .state: "state"
            case .realPrediction: "real prediction"
            case .symbolPrediction: "symbol prediction"
            }
        }
    }

    /// The decoded 24-byte header.
    struct Header {
        var kind: UInt8
        var ny: Int
        var nx: Int
        var seq: UInt64?
        var ts: Double?
        var intervals = false
        var state = false
    }

    @inline(__always) static func u16(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always) static func u32(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) static func u64(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) static func f64(_ p: UnsafeRawBufferPointer, _ offset: Int) -> Double {
        Double(bitPattern: u64(p, offset))
    }

    /// Reads the header after checking its length, version, flags and `ts`.
    static func header(_ p: UnsafeRawBufferPointer) throws(WireError) -> Header {
        guard p.count >= headerSize else {
            throw WireError(.malformedBinary, "binary v1 message is \(p.count) bytes, shorter than the \(headerSize)-byte header; send the complete message")
        }
        guard p[0] == version else {
            throw WireError(.unsupportedEncoding, "binary version byte is 0x\(JSONReader.hex(p[0])); this decoder speaks version 0x01")
        }
        let flags = u16(p, 6)
        let prediction = p[1] == Kind.realPrediction.rawValue || p[1] == Kind.symbolPrediction.rawValue
        let known = flagSeq | flagTs | (prediction ? flagIntervals | flagState : 0)
        guard flags & ~known == 0 else {
            throw WireError(.malformedBinary, "header flags 0x\(String(flags, radix: 16)) set unknown bits; v1 defines bit 0 (seq), bit 1 (ts) and, in predictions, bit 2 (intervals) and bit 3 (state answer)")
        }
        var ts: Double?
        if flags & flagTs != 0 {
            let t = f64(p, 16)
            guard t.isFinite else {
                throw WireError(.nonFinite, "'ts' (header bytes 16–23) is \(t); send a finite timestamp or clear flag bit 1")
            }
            ts = t
        }
        return Header(kind: p[1], ny: Int(u16(p, 2)), nx: Int(u16(p, 4)),
                      seq: flags & flagSeq != 0 ? u64(p, 8) : nil, ts: ts, intervals: flags & flagIntervals != 0,
                      state: flags & flagState != 0)
    }

    /// Throws `malformed_binary` unless the payload is exactly `expected` bytes.
    static func checkLength(_ p: UnsafeRawBufferPointer, expected: Int, kind: Kind, header h: Header) throws(WireError) {
        guard p.count == expected else {
            throw WireError(.malformedBinary, "binary v1 \(kind.name) message (kind \(kind.rawValue), ny=\(h.ny), nx=\(h.nx)) must be \(expected) bytes, got \(p.count); make the header counts match the body")
        }
    }

    /// Throws `malformed_binary` unless a header count that this kind does not use is 0.
    static func checkUnused(_ count: Int, _ name: String, kind: Kind) throws(WireError) {
        guard count == 0 else {
            throw WireError(.malformedBinary, "binary v1 \(kind.name) message (kind \(kind.rawValue)) must have \(name)=0, got \(count)")
        }
    }

    /// Reads `count` f64 values at `offset`; they must be finite, or NaN too when `allowNaN` (meaning "none").
    static func doubles(_ p: UnsafeRawBufferPointer, at offset: Int, count: Int, field: String,
                        allowNaN: Bool = false) throws(WireError) -> [Double] {
        var values: [Double] = []
        try doubles(p, at: offset, count: count, field: field, allowNaN: allowNaN, into: &values)
        return values
    }

    /// ``doubles(_:at:count:field:allowNaN:)`` into `values`, reusing its storage when it is unshared and of that
    /// length (a stream's steady state: overwritten in place, no allocation).
    static func doubles(_ p: UnsafeRawBufferPointer, at offset: Int, count: Int, field: String,
                        allowNaN: Bool = false, into values: inout [Double]) throws(WireError) {
        if values.count != count {
            // The usual scalar y: an array literal allocates with statically known metadata, where the generic
            // initializer looks `_ContiguousArrayStorage<Double>` up at run time on every call.
            values = count == 1 ? [0] : [Double](repeating: 0, count: count)
        }
        var bad = -1
        values.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<count {
                let v = f64(p, offset + 8 * i)
                buffer[i] = v
                if bad < 0 && !v.isFinite && !(allowNaN && v.isNaN) { bad = i }
            }
        }
        if bad >= 0 { throw nonFinite(field, index: bad, value: values[bad], offset: offset + 8 * bad, allowNaN: allowNaN) }
    }

    /// Reads one f64 at `offset` with the same rule as ``doubles(_:at:count:field:allowNaN:)``.
    static func double(_ p: UnsafeRawBufferPointer, at offset: Int, field: String, allowNaN: Bool = false) throws(WireError) -> Double {
        let v = f64(p, offset)
        guard v.isFinite || (allowNaN && v.isNaN) else {
            throw nonFinite(field, index: nil, value: v, offset: offset, allowNaN: allowNaN)
        }
        return v
    }

    private static func nonFinite(_ field: String, index: Int?, value: Double, offset: Int, allowNaN: Bool) -> WireError {
        let allowed = allowNaN ? "finite numbers or NaN (none)" : "finite numbers only"
        return WireError(.nonFinite, "\(JSONReader.label(field, index)) at byte \(offset) is \(value); send \(allowed)")
    }
}
