import PredictorCore

/// A snapshot of an engine: every model's slow memory and every context's fast memory, in exact binary form.
///
/// The value is the payload of a checkpoint file (see ``CheckpointCodec`` for the framing); contexts name their model.
public struct Checkpoint: Sendable, Equatable {
    /// The payload format this build writes; files with a higher number are refused, never misread.
    public static let currentFormatVersion: UInt32 = 1

    /// Format of the payload (``currentFormatVersion`` for checkpoints built in this process).
    public var formatVersion: UInt32
    /// When the snapshot was taken, in seconds since the Unix epoch.
    public var createdAt: Double
    /// The models at snapshot time, in the engine's order.
    public var models: [CheckpointModel]
    /// Every context, sorted by stream id bytes so equal engines give equal files.
    public var contexts: [CheckpointContext]
    /// Learned slow memory (RLS prior means), by model name, sorted by name.
    public var priorLearners: [String: RLSPriorLearner]

    public init(
        formatVersion: UInt32 = Checkpoint.currentFormatVersion, createdAt: Double, models: [CheckpointModel],
        contexts: [CheckpointContext], priorLearners: [String: RLSPriorLearner] = [:]
    ) {
        self.formatVersion = formatVersion
        self.createdAt = createdAt
        self.models = models
        self.contexts = contexts
        self.priorLearners = priorLearners
    }
}

extension Checkpoint {
    /// Appends the payload (everything after the file header).
    public func encodePayload(to writer: inout ByteWriter) {
        Self.encodePayloadHead(createdAt: createdAt, models: models, contextCount: contexts.count, to: &writer)
        for context in contexts { context.encode(to: &writer) }
        Self.encodePayloadTail(priorLearners: priorLearners, to: &writer)
    }

    /// The payload up to the contexts: creation time, models, context count (the contexts follow in stream-byte order).
    static func encodePayloadHead(createdAt: Double, models: [CheckpointModel], contextCount: Int, to writer: inout ByteWriter) {
        writer.write(createdAt)
        writer.write(models.count)
        for model in models { model.encode(to: &writer) }
        writer.write(contextCount)
    }

    /// The payload after the contexts: the learned slow memory, sorted by model name.
    static func encodePayloadTail(priorLearners: [String: RLSPriorLearner], to writer: inout ByteWriter) {
        writer.write(priorLearners.count)
        for (name, learner) in priorLearners.sorted(by: { $0.key < $1.key }) {
            writer.write(name)
            learner.encode(to: &writer)
        }
    }

    /// Reads a payload of format `formatVersion` (as bytes of their own); throws on truncation, trailing bytes or unknown models.
    public init(payload: [UInt8], formatVersion: UInt32) throws(StateDecodingError) {
        var reader = ByteReader(payload)
        try self.init(payloadFrom: &reader, formatVersion: formatVersion)
    }

    /// Reads a payload that runs from the reader's offset to the end of its bytes.
    public init(payloadFrom reader: inout ByteReader, formatVersion: UInt32) throws(StateDecodingError) {
        let createdAt = try reader.readDouble()
        // Every model and context takes at least 8 bytes, so counts are bounded by the bytes left.
        let modelCount = try reader.readCount(elementSize: 16)
        var models: [CheckpointModel] = []
        models.reserveCapacity(modelCount)
        for _ in 0..<modelCount { models.append(try CheckpointModel(from: &reader)) }
        let contextCount = try reader.readCount(elementSize: 50)
        var contexts: [CheckpointContext] = []
        contexts.reserveCapacity(contextCount)
        for i in 0..<contextCount {
            let context = try CheckpointContext(from: &reader)
            guard models.indices.contains(context.modelIndex), models[context.modelIndex].name == context.model else {
                throw StateDecodingError("context \(i) names model '\(context.model)' #\(context.modelIndex), which the checkpoint does not list")
            }
            contexts.append(context)
        }
        let learnerCount = try reader.readCount(elementSize: 32)
        var learners: [String: RLSPriorLearner] = [:]
        for _ in 0..<learnerCount {
            let name = try reader.readString()
            learners[name] = try RLSPriorLearner(from: &reader)
        }
        guard reader.isAtEnd else { throw StateDecodingError("\(reader.remaining) trailing bytes after the learned slow memory") }
        self.init(formatVersion: formatVersion, createdAt: createdAt, models: models, contexts: contexts, priorLearners: learners)
    }
}
