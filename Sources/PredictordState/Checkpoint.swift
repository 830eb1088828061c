import PredictorCore
import PredictorEngine

/// A snapshot of an engine: every model's slow memory and every context's fast memory, in exact binary form.
///
/// The value is the payload of a checkpoint file (see ``CheckpointCodec`` for the framing); contexts name their model.
public struct Checkpoint: Sendable, Equatable {
    /// The payload format this build writes; files with a higher number are refused, never misread.
    public static let currentFormatVersion: UInt32 = 4

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
    /// Learned slow memory of Gaussian-emission HMM models (online EM), by model name (format 4 on).
    public var gaussianLearners: [String: GaussianHMMModelLearner]
    /// The pending segments of contexts that feed a Gaussian HMM learner, sorted by stream id (format 4 on).
    public var gaussianContexts: [CheckpointGaussianContext]

    /// Every model's learned slow memory in one map (the file keeps one section per kind).
    package init(createdAt: Double, models: [CheckpointModel], contexts: [CheckpointContext],
                 learners: [String: ModelLearner], hmmContexts: [CheckpointHMMContext],
                 gaussianContexts: [CheckpointGaussianContext] = []) {
        var priors: [String: RLSPriorLearner] = [:], hmm: [String: HMMModelLearner] = [:], softmax: [String: SoftmaxBetaLearner] = [:]
        var gaussian: [String: GaussianHMMModelLearner] = [:]
        for (name, learner) in learners {
            switch learner {
            case let .rlsPrior(l): priors[name] = l
            case let .hmm(l): hmm[name] = l
            case let .gaussianHMM(l): gaussian[name] = l
            case let .softmax(l): softmax[name] = l
            }
        }
        self.init(createdAt: createdAt, models: models, contexts: contexts, priorLearners: priors, hmmLearners: hmm,
                  hmmContexts: hmmContexts, softmaxLearners: softmax, gaussianLearners: gaussian,
                  gaussianContexts: gaussianContexts)
    }

    /// Every model's learned slow memory, by model name.
    package var learners: [String: ModelLearner] {
        var all: [String: ModelLearner] = [:]
        for (name, l) in priorLearners { all[name] = .rlsPrior(l) }
        for (name, l) in hmmLearners { all[name] = .hmm(l) }
        for (name, l) in gaussianLearners { all[name] = .gaussianHMM(l) }
        for (name, l) in softmaxLearners { all[name] = .softmax(l) }
        return all
    }

    public init(
        formatVersion: UInt32 = Checkpoint.currentFormatVersion, createdAt: Double, models: [CheckpointModel],
        contexts: [CheckpointContext], priorLearners: [String: RLSPriorLearner] = [:],
        hmmLearners: [String: HMMModelLearner] = [:], hmmContexts: [CheckpointHMMContext] = [],
        softmaxLearners: [String: SoftmaxBetaLearner] = [:], gaussianLearners: [String: GaussianHMMModelLearner] = [:],
        gaussianContexts: [CheckpointGaussianContext] = []
    ) {
        self.formatVersion = formatVersion
        self.createdAt = createdAt
        self.models = models
        self.contexts = contexts
        self.priorLearners = priorLearners
        self.hmmLearners = hmmLearners
        self.hmmContexts = hmmContexts
        self.softmaxLearners = softmaxLearners
        self.gaussianLearners = gaussianLearners
        self.gaussianContexts = gaussianContexts
    }
}

extension Checkpoint {
    /// Appends the payload (everything after the file header).
    public func encodePayload(to writer: inout ByteWriter) {
        Self.encodePayloadHead(createdAt: createdAt, models: models, contextCount: contexts.count, to: &writer)
        for context in contexts { context.encode(to: &writer) }
        Self.encodePayloadTail(
            priorLearners: priorLearners, hmmLearners: hmmLearners, hmmContexts: hmmContexts,
            softmaxLearners: softmaxLearners, gaussianLearners: gaussianLearners, gaussianContexts: gaussianContexts,
            to: &writer)
    }

    /// The payload up to the contexts: creation time, models, context count (the contexts follow in stream-byte order).
    static func encodePayloadHead(createdAt: Double, models: [CheckpointModel], contextCount: Int, to writer: inout ByteWriter) {
        writer.write(createdAt)
        writer.write(models.count)
        for model in models { model.encode(to: &writer) }
        writer.write(contextCount)
    }

    /// The payload after the contexts: the learned slow memory (by model name) and the HMM learning segments
    /// (format 4 appends the Gaussian HMM learners and their segments, so formats 2 and 3 are its prefix).
    static func encodePayloadTail(
        priorLearners: [String: RLSPriorLearner], hmmLearners: [String: HMMModelLearner],
        hmmContexts: [CheckpointHMMContext], softmaxLearners: [String: SoftmaxBetaLearner],
        gaussianLearners: [String: GaussianHMMModelLearner], gaussianContexts: [CheckpointGaussianContext],
        to writer: inout ByteWriter
    ) {
        Self.write(named: priorLearners, to: &writer)
        Self.write(named: hmmLearners, to: &writer)
        Self.write(hmmContexts, to: &writer)
        Self.write(named: softmaxLearners, to: &writer)
        Self.write(named: gaussianLearners, to: &writer)
        Self.write(gaussianContexts, to: &writer)
    }

    /// A count, then the values in order.
    private static func write(_ list: [some BinaryCodable], to writer: inout ByteWriter) {
        writer.write(list.count)
        for value in list { value.encode(to: &writer) }
    }

    /// Reads what ``write(_:to:)`` wrote; `elementSize` is a lower bound of one entry's bytes (bounds the count).
    private static func read<T: BinaryCodable>(list: T.Type, elementSize: Int, from reader: inout ByteReader) throws(StateDecodingError) -> [T] {
        let count = try reader.readCount(elementSize: elementSize)
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try T(from: &reader)) }
        return out
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
        var gaussianLearners: [String: GaussianHMMModelLearner] = [:]
        var gaussianContexts: [CheckpointGaussianContext] = []
        if formatVersion >= 2 {
            hmmLearners = try Self.read(named: HMMModelLearner.self, elementSize: 64, from: &reader)
            hmmContexts = try Self.read(list: CheckpointHMMContext.self, elementSize: 40, from: &reader)
            softmaxLearners = try Self.read(named: SoftmaxBetaLearner.self, elementSize: 80, from: &reader)
        }
        if formatVersion >= 4 {
            gaussianLearners = try Self.read(named: GaussianHMMModelLearner.self, elementSize: 64, from: &reader)
            gaussianContexts = try Self.read(list: CheckpointGaussianContext.self, elementSize: 40, from: &reader)
        }
        guard reader.isAtEnd else { throw StateDecodingError("\(reader.remaining) trailing bytes after the learned slow memory") }
        self.init(formatVersion: formatVersion, createdAt: createdAt, models: models, contexts: contexts, priorLearners: learners,
                  hmmLearners: hmmLearners, hmmContexts: hmmContexts, softmaxLearners: softmaxLearners,
                  gaussianLearners: gaussianLearners, gaussianContexts: gaussianContexts)
    }
}
