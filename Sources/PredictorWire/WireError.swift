/// Why the codec rejected a topic or payload: a stable snake_case key for per-reason drop counters.
public enum WireErrorReason: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Not strict RFC 8259 JSON (syntax, bad escape, invalid UTF-8, duplicate key, nesting deeper than 8).
    case malformedJSON = "malformed_json"
    /// A binary v1 message whose header or length is inconsistent.
    case malformedBinary = "malformed_binary"
    /// Over a size limit: the JSON byte limit, 65535 array elements, or 65535 binary components.
    case oversized
    /// A field of the wrong type or range, a missing or conflicting field.
    case badField = "bad_field"
    /// A number that is NaN or infinite (including a JSON literal that overflows, like `1e999`).
    case nonFinite = "non_finite"
    /// A payload that is empty or starts with neither `{` nor `0x01`.
    case unsupportedEncoding = "unsupported_encoding"
    /// A binary message kind this decoder does not take (unknown, or a prediction sent as an observation).
    case unknownKind = "unknown_kind"
    /// A topic (stream id) that is empty, longer than 255 bytes, not UTF-8 or contains NUL.
    case badTopic = "bad_topic"
    /// A JSON object with more than ``JSONReader/maxUnknownKeys`` unknown fields (each costs a hash insert).
    case tooManyFields = "too_many_fields"

    /// The counter key, identical to the raw value.
    public var counterKey: String { rawValue }
}

/// A message the codec cannot decode or encode: a counter reason plus text naming the field or offset and the fix.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable reason, used as the drop counter key.
    public var reason: WireErrorReason
    /// Human-readable detail: what is wrong (field, byte offset) and how to fix it.
    public var message: String

    public init(_ reason: WireErrorReason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
