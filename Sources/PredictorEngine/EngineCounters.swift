/// Running counts a daemon reports: accepted messages, drops by reason, gaps, evictions, and per-model accuracy.
public struct EngineCounters: Sendable, Equatable {
    /// Observations (and resets) absorbed by a model.
    public var observations: UInt64 = 0
    /// Predictions produced (observations, queries and resets).
    public var predictions: UInt64 = 0
    /// Dropped messages keyed by a stable snake_case reason (`unknown_stream`, `seq_not_increasing`, `wrong_dimension`, …).
    public var drops: [String: UInt64] = [:]
    /// Missing sequence numbers seen (sum of gap sizes).
    public var seqGaps: UInt64 = 0
    /// Contexts created, and removed for idleness.
    public var contextsCreated: UInt64 = 0
    public var contextsEvicted: UInt64 = 0
    /// Per model (same order as the engine's models): prequential accuracy.
    public var models: [ModelAccuracy] = []

    public init(modelCount: Int = 0) {
        models = Array(repeating: ModelAccuracy(), count: modelCount)
    }

    public mutating func drop(_ reason: String) { drops[reason, default: 0] += 1 }
    public var totalDrops: UInt64 { drops.values.reduce(0, +) }
}

/// Prequential accuracy of one model over all its contexts: mean squared innovation or mean surprise.
public struct ModelAccuracy: Sendable, Equatable {
    public var squaredErrorSum: Double = 0
    public var squaredErrorCount: UInt64 = 0
    public var surpriseSum: Double = 0
    public var surpriseCount: UInt64 = 0
    /// Windowed (exponentially weighted) recent quality, kept when ``PredictionEngine/qualityHalfLife`` > 0.
    public var recent = QualityWindow()

    public init() {}

    /// Mean squared prediction error of real streams (nil before any).
    public var meanSquaredError: Double? { squaredErrorCount == 0 ? nil : squaredErrorSum / Double(squaredErrorCount) }
    /// Mean surprise in nats per symbol (nil before any).
    public var meanSurprise: Double? { surpriseCount == 0 ? nil : surpriseSum / Double(surpriseCount) }
}
