import PredictorCore

/// One stream's fast memory in a checkpoint: stream id, model name, sequence bookkeeping and predictor state bytes.
public struct CheckpointContext: Sendable, Equatable, BinaryCodable {
    /// The stream id as UTF-8 bytes (the topic frame).
    public var stream: [UInt8]
    /// Name of the serving model.
    public var model: String
    /// Index of the serving model's definition in ``Checkpoint/models`` (a name can have several definitions:
    /// after a reload, older contexts keep the one they started with).
    public var modelIndex: Int
    /// Highest accepted `seq`, if any.
    public var lastSeq: UInt64?
    /// Time of the last accepted message, in the engine's clock (seconds).
    public var lastActive: Double
    /// `AnyPredictor.encodedState()` output.
    public var state: [UInt8]
    /// Whether the context already contributed to its model's learned slow memory.
    public var contributed: Bool
    /// ``PredictorEngine/StreamContext/published``: what the next observation is scored against (format 3 on).
    public var published: [Double]

    public init(stream: [UInt8], model: String, modelIndex: Int, lastSeq: UInt64?, lastActive: Double, state: [UInt8],
        contributed: Bool = false, published: [Double] = []
    ) {
        self.stream = stream
        self.model = model
        self.modelIndex = modelIndex
        self.lastSeq = lastSeq
        self.lastActive = lastActive
        self.state = state
        self.contributed = contributed
        self.published = published
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(stream.count)
        writer.write(raw: stream)
        writer.write(model)
        writer.write(modelIndex)
        writer.write(lastSeq != nil)
        writer.write(lastSeq ?? 0)
        writer.write(lastActive)
        writer.write(state.count)
        writer.write(raw: state)
        writer.write(contributed)
        writer.write(published.count)
        for value in published { writer.write(value) }
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        try self.init(from: &reader, formatVersion: Checkpoint.currentFormatVersion)
    }

    /// Reads a context of checkpoint format `formatVersion` (before 3 it has no `published`).
    public init(from reader: inout ByteReader, formatVersion: UInt32) throws(StateDecodingError) {
        let streamCount = try reader.readCount(elementSize: 1)
        let stream = Array(try reader.readRaw(count: streamCount))
        let model = try reader.readString()
        let modelIndex = try reader.readInt()
        let hasSeq = try reader.readBool()
        let seq = try reader.readUInt64()
        let lastActive = try reader.readDouble()
        let stateCount = try reader.readCount(elementSize: 1)
        let state = Array(try reader.readRaw(count: stateCount))
        let contributed = try reader.readBool()
        var published: [Double] = []
        if formatVersion >= 3 {
            let count = try reader.readCount(elementSize: 8)
            published.reserveCapacity(count)
            for _ in 0..<count { published.append(try reader.readDouble()) }
        }
        self.init(stream: stream, model: model, modelIndex: modelIndex, lastSeq: hasSeq ? seq : nil, lastActive: lastActive,
                  state: state, contributed: contributed, published: published)
    }
}
