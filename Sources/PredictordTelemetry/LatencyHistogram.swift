/// Cumulative latency counts in fixed buckets (nanoseconds), kept by the poll thread without locks or allocation,
/// with the exact sum of each bucket's samples so an exporter can reproduce both counts and sum.
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds (inclusive, ns) of the buckets, as Prometheus `le`; one more bucket (+Inf) follows.
    /// Fine (×1.25–1.5) where the daemon's per-message time lies (1–100 µs), coarse above.
    public static let boundsNanos: [Int64] = [
        250, 500, 750, 1_000, 1_250, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 6_000, 7_500, 10_000, 12_500, 15_000,
        20_000, 25_000, 30_000, 40_000, 50_000, 75_000, 100_000, 250_000, 500_000, 1_000_000, 10_000_000, 100_000_000,
        1_000_000_000,
    ]

    /// Samples per bucket (`boundsNanos.count + 1` entries, the last one for +Inf).
    public private(set) var counts: [UInt64]
    /// Sum (ns) of the samples in each bucket.
    public private(set) var sums: [Int64]

    public init() {
        counts = Array(repeating: 0, count: Self.boundsNanos.count + 1)
        sums = Array(repeating: 0, count: Self.boundsNanos.count + 1)
    }

    /// Adds one sample (negative ones count as 0).
    public mutating func record(nanoseconds: Int64) {
        let v = max(0, nanoseconds)
        var i = 0
        let bounds = Self.boundsNanos
        while i < bounds.count, bounds[i] < v { i &+= 1 }
        counts[i] &+= 1
        sums[i] &+= v
    }

    public var count: UInt64 { counts.reduce(0, &+) }

    /// Adds another histogram's counts (models of the same name after a reload).
    public mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices {
            counts[i] &+= other.counts[i]
            sums[i] &+= other.sums[i]
        }
    }
}
