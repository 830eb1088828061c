import PredictorCore
import PredictorEngine

/// One model's slow memory in a checkpoint: its name and the exact bytes of its ``ModelSpec``.
///
/// Kept as bytes so a restore compares specs bitwise and a spec this build cannot decode costs only its own contexts.
public struct CheckpointModel: Sendable, Equatable, BinaryCodable {
    public var name: String
    /// `ModelSpec.encode(to:)` output.
    public var encodedSpec: [UInt8]

    public init(name: String, encodedSpec: [UInt8]) {
        self.name = name
        self.encodedSpec = encodedSpec
    }

    public init(name: String, spec: ModelSpec) {
        self.init(name: name, encodedSpec: spec.encodedBytes)
    }

    /// The decoded spec; throws when the bytes are not a valid spec for this build.
    public func decodeSpec() throws(StateDecodingError) -> ModelSpec {
        var reader = ByteReader(encodedSpec)
        let spec = try ModelSpec(from: &reader)
        guard reader.isAtEnd else { throw StateDecodingError("\(reader.remaining) trailing bytes after model '\(name)'") }
        return spec
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(name)
        writer.write(encodedSpec.count)
        writer.write(raw: encodedSpec)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let name = try reader.readString()
        let count = try reader.readCount(elementSize: 1)
        self.init(name: name, encodedSpec: Array(try reader.readRaw(count: count)))
    }
}

extension ModelSpec {
    /// The exact bytes `encode(to:)` writes: two specs are the same slow memory iff these are equal.
    public var encodedBytes: [UInt8] {
        var writer = ByteWriter()
        encode(to: &writer)
        return writer.bytes
    }
}
