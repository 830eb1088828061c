import PredictorEngine

/// The daemon's resolved configuration: sockets, limits, state, logging and the model definitions.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The SUB side that receives observations.
    public struct Observations: Sendable, Equatable {
        public var bind: [String] = ["tcp://127.0.0.1:5556"]
        public var connect: [String] = []
        /// Topic prefixes to subscribe to ("" = all streams).
        public var subscribe: [String] = [""]
        /// ZMQ_RCVHWM: messages queued before libzmq drops (the libzmq default of 1000 loses most of a burst).
        public var receiveHighWaterMark: Int = 1_000_000
        /// CURVE server key pair and allowed publisher keys; nil = plain text (anyone who can connect may publish).
        public var curve: CurveServerConfiguration?
    }

    /// The PUB side that sends predictions.
    public struct Predictions: Sendable, Equatable {
        public var bind: [String] = ["tcp://127.0.0.1:5557"]
        /// ZMQ_SNDHWM per subscriber: beyond it a slow subscriber's predictions are dropped (PUB never blocks).
        public var sendHighWaterMark: Int = 1_000_000
        /// CURVE server key pair and allowed subscriber keys; nil = plain text (anyone who can connect may read).
        public var curve: CurveServerConfiguration?
        /// What a full subscriber queue does to a prediction (`sockets.predictions.slow_subscriber`).
        public var slowSubscriber: SlowSubscriberPolicy = .count
        /// ZMQ_LINGER at stop: how long predictions still queued for subscribers are flushed before exit.
        public var lingerSeconds: Double = 5
    }

    /// The PUB high-water-mark policy: either every lost prediction is counted, or a slow subscriber loses alone.
    public enum SlowSubscriberPolicy: String, Sendable, Equatable, CaseIterable {
        /// ZMQ_XPUB_NODROP: a prediction that some subscriber's full queue cannot take is sent to no subscriber and
        /// counted as `publish_hwm` (exact accounting; a stuck subscriber costs the others those predictions).
        case count
        /// libzmq's default: only the slow subscriber loses predictions, silently (not counted by the daemon).
        case isolate
    }

    /// Bounds that protect the daemon from bad or hostile input.
    public struct Limits: Sendable, Equatable {
        public var maxContexts: Int = 1_000_000
        public var idleTTLSeconds: Double = 0
        public var maxMessageBytes: Int = 65_536
        /// Longest stream id in bytes (the protocol allows 255).
        public var maxTopicBytes: Int = 255
        /// Most x or y components in one message.
        public var maxVectorLength: Int = 4096
        /// Most live contexts per model `match` prefix (nil = `maxContexts`).
        public var maxContextsPerPrefix: Int? = nil
    }

    /// Where and how often fast and slow memory are checkpointed.
    public struct State: Sendable, Equatable {
        public var directory: String = "state"
        public var checkpointIntervalSeconds: Double = 60
        /// `state.journal`: whether accepted observations are journaled before their predictions are sent.
        public var journal: JournalMode = .write
    }

    /// Journal output.
    public struct Logging: Sendable, Equatable {
        public var level: String = "info"
        public var statsIntervalSeconds: Double = 10
        /// Standard error's format outside systemd: `text` or `json` (one object per line).
        public var format: String = "text"
    }

    public var observations = Observations()
    public var predictions = Predictions()
    public var limits = Limits()
    public var state = State()
    public var logging = Logging()
    public var http = HTTPConfiguration()
    public var models: [ModelDefinition] = []

    public init() {}
}

extension DaemonConfiguration.Limits {
    /// The engine's share of these limits (the message size is checked before decoding, by the poll loop).
    public var engineLimits: EngineLimits {
        EngineLimits(maxContexts: maxContexts, idleTTL: idleTTLSeconds, maxTopicBytes: maxTopicBytes,
                     maxVectorLength: maxVectorLength, maxContextsPerPrefix: maxContextsPerPrefix ?? maxContexts)
    }
}
