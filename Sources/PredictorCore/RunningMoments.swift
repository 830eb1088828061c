/// Exact running mean and variance per component (Welford), over every vector added since the last clear.
///
/// The online standardisation of a `softmax` model's keys and values; encodes bit-exactly for checkpoints.
public struct RunningMoments: Sendable, Equatable, BinaryCodable {
    /// Vectors added.
    public private(set) var count: Int
    /// Running mean per component.
    public private(set) var mean: [Double]
    /// Running sum of squared deviations per component (Welford's M₂).
    public private(set) var squares: [Double]

    public init(components: Int) {
        count = 0
        mean = [Double](repeating: 0, count: components)
        squares = [Double](repeating: 0, count: components)
    }

    public var components: Int { mean.count }

    /// Adds the vector at `v` (`components` entries): mean += δ/n, M₂ += δ·(v − new mean).
    public mutating func add(_ v: UnsafePointer<Double>) {
        count += 1
        let n = Double(count)
        mean.withUnsafeMutableBufferPointer { m in
            squares.withUnsafeMutableBufferPointer { s in
                for j in 0..<m.count {
                    let delta = v[j] - m[j]
                    m[j] += delta / n
                    s[j] += delta * (v[j] - m[j])
                }
            }
        }
    }

    /// The sample variance M₂/(n − 1) of component `j`; NaN before two vectors.
    @inline(__always)
    public func variance(_ j: Int) -> Double {
        count >= 2 ? squares[j] / Double(count - 1) : .nan
    }

    /// 1/σ of component `j` for standardising: 1 when the variance is unknown or 0 (a constant component).
    @inline(__always)
    public func inverseScale(_ j: Int) -> Double {
        let v = variance(j)
        return v > 0 ? 1 / v.squareRoot() : 1
    }

    public mutating func clear() {
        count = 0
        mean.reset(count: mean.count, to: 0)
        squares.reset(count: squares.count, to: 0)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(count)
        writer.write(mean)
        writer.write(squares)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        count = try reader.readInt()
        mean = try reader.readDoubles()
        squares = try reader.readDoubles(expectedCount: mean.count)
        guard count >= 0, mean.allSatisfy(\.isFinite), squares.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw StateDecodingError("running moments are negative or non-finite")
        }
    }
}
