/// Exact little-endian binary coding for fast and slow memory: checkpoints round-trip bit for bit.
public protocol BinaryCodable {
    /// Appends the value's exact binary form.
    func encode(to writer: inout ByteWriter)
    /// Reads a value written by `encode(to:)`; throws on truncated or inconsistent bytes.
    init(from reader: inout ByteReader) throws(StateDecodingError)
}

/// Appends little-endian integers and IEEE-754 bit patterns to a byte array.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    /// Writes the count, then every element's bit pattern.
    public mutating func write(_ values: [Double]) {
        write(values.count)
        for v in values { write(v.bitPattern) }
    }
    public mutating func write(_ values: [Int]) {
        write(values.count)
        for v in values { write(v) }
    }
    /// Writes a UTF-8 string with its byte count.
    public mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }
    public mutating func write(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }
    /// Empties the buffer but keeps its capacity, so one writer can encode piece after piece without reallocating.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}

/// Reads what ``ByteWriter`` wrote, checking every length against the bytes left.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readUInt64() throws(StateDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw StateDecodingError("truncated at byte \(offset): need 8, have \(remaining)") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }
    public mutating func readUInt32() throws(StateDecodingError) -> UInt32 {
        guard remaining >= 4 else { throw StateDecodingError("truncated at byte \(offset): need 4, have \(remaining)") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }
    public mutating func readUInt8() throws(StateDecodingError) -> UInt8 {
        guard remaining >= 1 else { throw StateDecodingError("truncated at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }
    public mutating func readInt() throws(StateDecodingError) -> Int {
        Int(Int64(bitPattern: try readUInt64()))
    }
    public mutating func readBool() throws(StateDecodingError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let b: throw StateDecodingError("invalid boolean byte \(b) at \(offset - 1)")
        }
    }
    public mutating func readDouble() throws(StateDecodingError) -> Double {
        Double(bitPattern: try readUInt64())
    }
    /// Reads a count (bounded by the bytes left, so corrupt input cannot force a huge allocation) and the values.
    public mutating func readDoubles(expectedCount: Int? = nil) throws(StateDecodingError) -> [Double] {
        let n = try readCount(elementSize: 8)
        if let expectedCount, n != expectedCount {
            throw StateDecodingError("expected \(expectedCount) values, found \(n)")
        }
        var out = [Double]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readDouble()) }
        return out
    }
    public mutating func readInts(expectedCount: Int? = nil) throws(StateDecodingError) -> [Int] {
        let n = try readCount(elementSize: 8)
        if let expectedCount, n != expectedCount {
            throw StateDecodingError("expected \(expectedCount) integers, found \(n)")
        }
        var out = [Int]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readInt()) }
        return out
    }
    public mutating func readString() throws(StateDecodingError) -> String {
        let n = try readCount(elementSize: 1)
        let s = String(decoding: bytes[offset..<offset + n], as: UTF8.self)
        offset += n
        return s
    }
    public mutating func readRaw(count n: Int) throws(StateDecodingError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw StateDecodingError("truncated at byte \(offset): need \(n), have \(remaining)") }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }
    /// A non-negative count whose elements fit in the bytes left.
    public mutating func readCount(elementSize: Int) throws(StateDecodingError) -> Int {
        let n = try readInt()
        guard n >= 0, n <= remaining / max(elementSize, 1) else {
            throw StateDecodingError("implausible length \(n) at byte \(offset - 8) (\(remaining) bytes left)")
        }
        return n
    }
}
