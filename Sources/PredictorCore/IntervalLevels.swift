/// The central predictive-interval levels a model publishes (config `intervals`, default 0.9), with Φ⁻¹ of each
/// upper tail probability computed once, so the per-step interval costs one t-quantile per level.
public struct IntervalLevels: Sendable, Equatable, BinaryCodable {
    /// Levels in (0, 1), e.g. 0.9 for the 5 %–95 % interval.
    public let levels: [Double]
    /// (1 + level)/2 for each level: the upper bound's probability.
    let upperProbabilities: [Double]
    /// Φ⁻¹((1 + level)/2) for each level.
    let normalQuantiles: [Double]

    /// The default: one 90 % interval.
    public static let standard = IntervalLevels(valid: [0.9])
    /// No intervals.
    public static let none = IntervalLevels(valid: [])

    /// Validates each level (strictly between 0 and 1, at most 8 levels), naming the `intervals` key.
    public init(_ levels: [Double]) throws(ParameterError) {
        guard levels.count <= 8 else { throw ParameterError("intervals", "at most 8 levels, got \(levels.count)") }
        for level in levels where !(level > 0 && level < 1) {
            throw ParameterError("intervals", "each level must be in (0, 1), e.g. 0.9; got \(level)")
        }
        self.init(valid: levels)
    }

    private init(valid levels: [Double]) {
        self.levels = levels
        upperProbabilities = levels.map { (1 + $0) / 2 }
        normalQuantiles = upperProbabilities.map(StudentT.normalQuantile)
    }

    public var isEmpty: Bool { levels.isEmpty }

    public static func == (a: IntervalLevels, b: IntervalLevels) -> Bool { a.levels == b.levels }

    public func encode(to writer: inout ByteWriter) { writer.write(levels) }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let levels = try reader.readDoubles()
        do { try self.init(levels) } catch { throw StateDecodingError("interval levels: \(error)") }
    }
}
