/// The two payload encodings of protocol v1, told apart by the first payload byte.
///
/// A prediction is sent in the encoding of the observation that caused it, so decoded messages remember theirs.
public enum WireEncoding: String, Sendable, Equatable, Hashable, CaseIterable {
    /// A UTF-8 JSON object; the payload starts with `{`.
    case json
    /// Binary v1: a 24-byte little-endian header and a body; the payload starts with `0x01`.
    case binary
}
