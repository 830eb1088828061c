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
        a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && x.elementsEqual(y) } }
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
        var s = string
        return try s.withUTF8(body)
    }
}
