/// The checkpoint writer's figures for /metrics: writes by result, the last good one's time and size, and the
/// durations (cumulative, in the checkpoint buckets).
public struct CheckpointTelemetry: Sendable, Equatable {
    public var succeeded: UInt64 = 0
    public var failed: UInt64 = 0
    /// Time (seconds since 1970) the last good checkpoint was written, or the restored one's creation time.
    public var lastSuccess: Double?
    public var lastBytes: Int = 0
    public var durations = BucketHistogram(bounds: BucketHistogram.checkpointBoundsNanos)

    public init() {}
}
