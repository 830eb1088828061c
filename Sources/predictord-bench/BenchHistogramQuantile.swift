/// A quantile read from a Prometheus histogram: the interpolated value and the bucket (lower, upper] it lies in.
struct BenchHistogramQuantile: Sendable {
    var value: Double
    var lower: Double
    var upper: Double
    /// Samples in the histogram.
    var count: Double

    var width: Double { upper - lower }
}
