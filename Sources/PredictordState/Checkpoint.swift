import PredictorCore
import PredictorEngine

/// A snapshot of an engine: every model's slow memory and every context's fast memory, in exact binary form.
///
/// The value is the payload of a checkpoint file (see ``CheckpointCodec`` for the framing); contexts name their model.
public struct Checkpoint: Sendable, Equatable {
    /// The payload format this build writes; files with a higher number are refused, never misread.
    public static let currentFormatVersion: UInt32 = 3

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
    /// Learned slow memory of HMM models (online EM), by model name (format 2 on).
    public var hmmLearners: [String: HMMModelLearner]
    /// The pending segments of contexts that feed an HMM learner, sorted by stream id (format 2 on).
    public var hmmContexts: [CheckpointHMMContext]
    /// Learned β of softmax models, by model name (format 2 on).
    public var softmaxLearners: [String: SoftmaxBetaLearner]

    /// Every model's learned slow memory in one map (the file keeps one section per kind).
    package init(createdAt: Double, models: [CheckpointModel], contexts: [CheckpointContext],
                 learners: [String: ModelLearner], hmmContexts: [CheckpointHMMContext]) {
        var priors: [String: RLSPriorLearner] = [:], hmm: [String: HMMModelLearner] = [:], softmax: [String: SoftmaxBetaLearner] = [:]
        for (name, learner) in learners {
            switch learner {
            case let .rlsPrior(l): priors[name] = l
            case let .hmm(l): hmm[name] = l
            case let .softmax(l): softmax[name] = l
            }
        }
        self.init(createdAt: createdAt, models: models, contexts: contexts, priorLearners: priors, hmmLearners: hmm,
                  hmmContexts: hmmContexts, softmaxLearners: softmax)
    }

    /// Every model's learned slow memory, by model name.
    package var learners: [String: ModelLearner] {
        var all: [String: ModelLearner] = [:]
        for (name, l) in priorLearners { all[name] = .rlsPrior(l) }
        for (name, l) in hmmLearners { all[name] = .hmm(l) }
        for (name, l) in softmaxLearners { all[name] = .softmax(l) }
        return all
    }

    public init(
        formatVersion: UInt32 = Checkpoint.currentFormatVersion, createdAt: Double, models: [CheckpointModel],
        contexts: [CheckpointContext], priorLearners: [String: RLSPriorLearner] = [:],
        hmmLearners: [String: HMMModelLearner] = [:], hmmContexts: [CheckpointHMMContext] = [],
        softmaxLearners: [String: SoftmaxBetaLearner] = [:]
    ) {
        self.formatVersion = formatVersion
        self.createdAt = createdAt
        self.models = models
        self.contexts = contexts
        self.priorLearners = priorLearners
        self.hmmLearners = hmmLearners
        self.hmmContexts = hmmContexts
        self.softmaxLearners = softmaxLearners
    }
}

extension Checkpoint {
    /// Appends the payload (everything after the file header).
    public func encodePayload(to writer: inout ByteWriter) {
        Self.encodePayloadHead(createdAt: createdAt, models: models, contextCount: contexts.count, to: &writer)
        for context in contexts { context.encode(to: &writer) }
        Self.encodePayloadTail(
            priorLearners: priorLearners, hmmLearners: hmmLearners, hmmContexts: hmmContexts,
            softmaxLearners: softmaxLearners, to: &writer)
    }

    /// The payload up to the contexts: creation time, models, context count (the contexts follow in stream-byte order).
    static func encodePayloadHead(createdAt: Double, models: [CheckpointModel], contextCount: Int, to writer: inout ByteWriter) {
        writer.write(createdAt)
        writer.write(models.count)
        for model in models { model.encode(to: &writer) }
        writer.write(contextCount)
    }

    /// The payload after the contexts: the learned slow memory (by model name) and the HMM learning segments.
    static func encodePayloadTail(
        priorLearners: [String: RLSPriorLearner], hmmLearners: [String: HMMModelLearner],
        hmmContexts: [CheckpointHMMContext], softmaxLearners: [String: SoftmaxBetaLearner], to writer: inout ByteWriter
    ) {
        Self.write(named: priorLearners, to: &writer)
        Self.write(named: hmmLearners, to: &writer)
        writer.write(hmmContexts.count)
        for context in hmmContexts { context.encode(to: &writer) }
        Self.write(named: softmaxLearners, to: &writer)
    }

    /// A count, then (name, value) pairs sorted by name, so equal maps give equal bytes.
    private static func write(named map: [String: some BinaryCodable], to writer: inout ByteWriter) {
        writer.write(map.count)
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            writer.write(name)
            value.encode(to: &writer)
        }
    }

    /// Reads what ``write(named:to:)`` wrote; `elementSize` is a lower bound of one entry's bytes (bounds the count).
    private static func read<T: BinaryCodable>(named: T.Type, elementSize: Int, from reader: inout ByteReader) throws(StateDecodingError) -> [String: T] {
        var map: [String: T] = [:]
        for _ in 0..<(try reader.readCount(elementSize: elementSize)) {
            let name = try reader.readString()
            map[name] = try T(from: &reader)
        }
        return map
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
            let context = try CheckpointContext(from: &reader, formatVersion: formatVersion)
            guard models.indices.contains(context.modelIndex), models[context.modelIndex].name == context.model else {
                throw StateDecodingError("context \(i) names model '\(context.model)' #\(context.modelIndex), which the checkpoint does not list")
            }
            contexts.append(context)
        }
        let learners = try Self.read(named: RLSPriorLearner.self, elementSize: 32, from: &reader)
        var hmmLearners: [String: HMMModelLearner] = [:]
        var hmmContexts: [CheckpointHMMContext] = []
        var softmaxLearners: [String: SoftmaxBetaLearner] = [:]
        if formatVersion >= 2 {
            hmmLearners = try Self.read(named: HMMModelLearner.self, elementSize: 64, from: &reader)
            let count = try reader.readCount(elementSize: 40)
            hmmContexts.reserveCapacity(count)
            for _ in 0..<count { hmmContexts.append(try CheckpointHMMContext(from: &reader)) }
            softmaxLearners = try Self.read(named: SoftmaxBetaLearner.self, elementSize: 80, from: &reader)
        }
        guard reader.isAtEnd else { throw StateDecodingError("\(reader.remaining) trailing bytes after the learned slow memory") }
        self.init(formatVersion: formatVersion, createdAt: createdAt, models: models, contexts: contexts, priorLearners: learners,
                  hmmLearners: hmmLearners, hmmContexts: hmmContexts, softmaxLearners: softmaxLearners)
    }
}
