/// Bounds on the context table: how many streams may hold fast memory and how long an idle one is kept.
public struct EngineLimits: Sendable, Equatable {
    /// New streams beyond this many contexts are dropped (`context_limit`); existing contexts are never evicted for them.
    public var maxContexts: Int
    /// Contexts idle for longer than this many seconds are removed by ``PredictionEngine/evictIdle(now:)``; 0 disables.
    public var idleTTL: Double

    public init(maxContexts: Int = 1_000_000, idleTTL: Double = 0) {
        self.maxContexts = maxContexts
        self.idleTTL = idleTTL
    }

    public static let unbounded = EngineLimits(maxContexts: .max, idleTTL: 0)
}
