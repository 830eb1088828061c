/// A stream id as a dictionary key, equal and hashed by its exact UTF-8 bytes.
///
/// `String`'s `==` and hash use Unicode canonical equivalence, so a precomposed "é" and "e" + U+0301 would share one
/// context; stream ids are topic bytes on the wire, so two different byte strings must be two streams.
public struct StreamKey: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The stream id (its bytes are never normalised).
    public let string: String

    public init(_ string: String) { self.string = string }
    public init(stringLiteral value: String) { string = value }

    public var description: String { string }

    public static func == (a: StreamKey, b: StreamKey) -> Bool {
        a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && Self.sameBytes(x, y) } }
    }

    /// Byte equality of two buffers of the same length, 8 bytes at a time (the generic `elementsEqual` went byte
    /// by byte through iterators: ≈ 2 % of the daemon's poll thread in the context lookup).
    @inline(__always)
    private static func sameBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = x.baseAddress, let q = y.baseAddress else { return x.count == y.count }
        let n = x.count
        var i = 0
        while i &+ 8 <= n {
            let u = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            let v = UnsafeRawPointer(q + i).loadUnaligned(as: UInt64.self)
            if u != v { return false }
            i &+= 8
        }
        while i < n {
            if p[i] != q[i] { return false }
            i &+= 1
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte-wise lexicographic order (the order of checkpoint contexts).
    public static func < (a: StreamKey, b: StreamKey) -> Bool {
        a.withUTF8 { x in b.withUTF8 { y in x.lexicographicallyPrecedes(y) } }
    }

    /// The UTF-8 bytes without copying them (native and small strings are contiguous).
    @inline(__always)
    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        // Non-mutating, so no copy of the string (a retain and release per call, four per dictionary probe);
        // native and small strings are always contiguous, the fallback is for bridged ones.
        if let result = try string.utf8.withContiguousStorageIfAvailable(body) { return result }
        var s = string
        return try s.withUTF8(body)
    }
}
