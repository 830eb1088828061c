import PredictorWire

/// Bounds on the input and the context table: topic and vector sizes, how many streams may hold fast memory (in
/// all and per model `match` prefix) and how long an idle one is kept.
public struct EngineLimits: Sendable, Equatable {
    /// New streams beyond this many contexts are dropped (`context_limit`); existing contexts are never evicted for them.
    public var maxContexts: Int
    /// Contexts idle for longer than this many seconds are removed by ``PredictionEngine/evictIdle(now:)``; 0 disables.
    public var idleTTL: Double
    /// Longest stream id (topic) in bytes; longer ones are dropped (`topic_too_long`). The protocol's own cap is 255.
    public var maxTopicBytes: Int
    /// Most components in a message's x or y vector; more are dropped (`vector_too_long`) before any model sees them.
    public var maxVectorLength: Int
    /// Most live contexts per model `match` prefix; a new stream of a full prefix is dropped (`prefix_context_limit`),
    /// so one prefix cannot take the whole table from the others.
    public var maxContextsPerPrefix: Int

    public init(maxContexts: Int = 1_000_000, idleTTL: Double = 0, maxTopicBytes: Int = WireDecoder.maxTopicBytes,
                maxVectorLength: Int = 65_535, maxContextsPerPrefix: Int = .max) {
        self.maxContexts = maxContexts
        self.idleTTL = idleTTL
        self.maxTopicBytes = maxTopicBytes
        self.maxVectorLength = maxVectorLength
        self.maxContextsPerPrefix = maxContextsPerPrefix
    }

    public static let unbounded = EngineLimits(maxContexts: .max, idleTTL: 0)

    /// Throws `topic_too_long` or `vector_too_long` when `message` on `stream` breaks a size limit.
    func check(stream: String, message: InboundMessage) throws(EngineDrop) {
        let topicBytes = stream.utf8.count
        if topicBytes > maxTopicBytes {
            throw EngineDrop(
                reason: "topic_too_long",
                message: "stream id of \(topicBytes) bytes exceeds limits.max_topic_bytes = \(maxTopicBytes); use shorter stream ids")
        }
        let longest: Int
        switch message.body {
        case let .observation(.series(y)): longest = y.count
        case let .observation(.labelled(x, y)): longest = max(x.count, y.count)
        case let .query(x): longest = x.count
        case .observation(.symbol), .reset, .state: longest = 0
        }
        if longest > maxVectorLength {
            throw EngineDrop(
                reason: "vector_too_long",
                message: "stream '\(stream)': a vector of \(longest) components exceeds limits.max_vector_length = \(maxVectorLength)")
        }
    }
}
