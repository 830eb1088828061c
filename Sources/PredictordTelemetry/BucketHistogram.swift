/// Cumulative counts in fixed buckets of integer samples (nanoseconds, or messages), kept by the poll thread
/// without locks or allocation, with the exact sum of each bucket's samples so an exporter can reproduce both
/// counts and sum.
public struct BucketHistogram: Sendable, Equatable {
    /// Upper bounds (inclusive) of the buckets, as Prometheus `le`, ascending; one more bucket (+Inf) follows.
    public let bounds: [Int64]
    /// Samples per bucket (`bounds.count + 1` entries, the last one for +Inf).
    public private(set) var counts: [UInt64]
    /// Sum of the samples in each bucket.
    public private(set) var sums: [Int64]

    /// Latency bounds (ns): 0.25 µs steps to 1 µs, 1 µs steps to 10 µs, 2 µs to 20 µs, 5 µs to 50 µs (where the
    /// daemon's per-message time lies, so a median is read to ±0.5 µs), then coarse up to 1 s: 32 buckets.
    public static let latencyBoundsNanos: [Int64] = [
        250, 500, 750, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 12_000, 14_000, 16_000,
        18_000, 20_000, 25_000, 30_000, 35_000, 40_000, 45_000, 50_000, 75_000, 100_000, 250_000, 500_000, 1_000_000,
        10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// Checkpoint-write bounds (ns): 1 ms to 60 s in 1–2.5–5 steps.
    public static let checkpointBoundsNanos: [Int64] = [
        1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
        10_000_000, 30_000_000, 60_000_000,
    ].map { $0 * 1_000 }

    /// Messages per poll wake-up: powers of 2 up to 8192, then the drain's cap of 10 000.
    public static let batchBounds: [Int64] = (0...13).map { Int64(1) << $0 } + [10_000]

    public init(bounds: [Int64]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count + 1)
        sums = Array(repeating: 0, count: bounds.count + 1)
    }

    /// A histogram in ``latencyBoundsNanos``.
    public static var latency: BucketHistogram { BucketHistogram(bounds: latencyBoundsNanos) }

    /// Adds one sample (negative ones count as 0).
    public mutating func record(_ sample: Int64) {
        let v = max(0, sample)
        var i = 0
        while i < bounds.count, bounds[i] < v { i &+= 1 }
        counts[i] &+= 1
        sums[i] &+= v
    }

    public var count: UInt64 { counts.reduce(0, &+) }

    /// Adds another histogram's counts (same bounds; models of the same name after a reload).
    public mutating func merge(_ other: BucketHistogram) {
        for i in counts.indices where i < other.counts.count {
            counts[i] &+= other.counts[i]
            sums[i] &+= other.sums[i]
        }
    }
}
