import PredictorEngine

/// What the poll thread publishes for the HTTP side at a fixed cadence: a plain value, copied under a lock in
/// nanoseconds, so a scrape never touches (or waits for) the message path.
public struct TelemetrySnapshot: Sendable {
    /// When it was taken (seconds since 1970).
    public var time: Double = 0
    /// The engine's running counts (observations, drops by reason, per-model accuracy and windowed quality).
    public var counters = EngineCounters()
    /// Model names aligned with `counters.models` and `latency` (a reloaded model may appear more than once).
    public var modelNames: [String] = []
    /// Live contexts.
    public var contexts = 0
    /// Receipt-to-send latency per model (aligned with `modelNames`).
    public var latency: [BucketHistogram] = []
    /// Messages received per poll wake-up that received any (``BucketHistogram/batchBounds``): the backlog each
    /// wake-up found, since ZeroMQ does not expose its queue length.
    public var pollBatches = BucketHistogram(bounds: BucketHistogram.batchBounds)
    /// Wake-ups whose drain stopped at its budget (10 000 messages or ~100 ms) rather than at an empty queue.
    public var pollBudgetExhausted: UInt64 = 0
    /// Each active model's slow memory, for the live page.
    public var models: [ModelSummary] = []
    /// The streams whose recent standardized errors were largest, largest first.
    public var largestErrors: [StreamError] = []
    /// When the restored checkpoint was written (seconds since 1970), if the daemon started from one.
    public var restoredCheckpointTime: Double?

    public init() {}
}

/// A model as the live page shows it: its configuration and what learning has moved.
public struct ModelSummary: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var match: String
    /// The configured parameters (YAML lines as `check-config` prints them).
    public var configuration: [String]
    /// Learned slow memory as `name: value` lines (empty when the model does not learn or has not yet).
    public var learned: [String]

    public init(name: String, kind: String, match: String, configuration: [String], learned: [String]) {
        self.name = name
        self.kind = kind
        self.match = match
        self.configuration = configuration
        self.learned = learned
    }
}

/// One stream's largest recent standardized innovation |y − mean| / sd.
public struct StreamError: Sendable, Equatable {
    public var stream: String
    public var model: String
    public var standardizedError: Double

    public init(stream: String, model: String, standardizedError: Double) {
        self.stream = stream
        self.model = model
        self.standardizedError = standardizedError
    }
}
