/// How a real-valued model turns observations into feature vectors x: autoregressive lags or explicit features.
public enum FeatureLayout: Sendable, Equatable, BinaryCodable {
    /// x_t = (z_{t−1}, …, z_{t−lags}, 1?): the last `lags` values (each q components, newest first), then an optional bias 1.
    case autoregressive(lags: Int, bias: Bool)
    /// x is sent with every observation (`{"x":[…],"y":…}`) and has `dimension` components.
    case explicit(dimension: Int)

    /// Number of feature components p for outputs of dimension q.
    public func featureCount(outputs q: Int) -> Int {
        switch self {
        case let .autoregressive(lags, bias): lags * q + (bias ? 1 : 0)
        case let .explicit(dimension): dimension
        }
    }

    /// Checks the layout's own numbers, naming the configuration key that is wrong.
    public func validate() throws(ParameterError) {
        switch self {
        case let .autoregressive(lags, _):
            guard lags >= 1, lags <= 4096 else { throw ParameterError("lags", "must be an integer in 1...4096, got \(lags)") }
        case let .explicit(dimension):
            guard dimension >= 1, dimension <= 65535 else {
                throw ParameterError("dimension", "must be an integer in 1...65535, got \(dimension)")
            }
        }
    }

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case let .autoregressive(lags, bias):
            writer.write(UInt8(0)); writer.write(lags); writer.write(bias)
        case let .explicit(dimension):
            writer.write(UInt8(1)); writer.write(dimension)
        }
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        switch try reader.readUInt8() {
        case 0: self = .autoregressive(lags: try reader.readInt(), bias: try reader.readBool())
        case 1: self = .explicit(dimension: try reader.readInt())
        case let tag: throw StateDecodingError("unknown feature layout tag \(tag)")
        }
    }
}

/// The last `lags` values of an autoregressive series (newest first), from which the next feature vector is built.
///
/// Before `lags` values have arrived, missing lags read as 0; `isFull` tells when a training pair is complete.
public struct LagHistory: Sendable, Equatable, BinaryCodable {
    /// Newest-first values: components of z_{t−1}, then z_{t−2}, …; `lags × q` entries.
    public private(set) var values: [Double]
    /// How many values have been pushed, capped at `lags`.
    public private(set) var filled: Int
    public let lags: Int
    public let outputs: Int

    public init(lags: Int, outputs: Int) {
        self.lags = lags
        self.outputs = outputs
        values = [Double](repeating: 0, count: lags * outputs)
        filled = 0
    }

    /// A history with the given newest-first `values` (`lags × outputs` entries) of which `filled` have arrived.
    init(lags: Int, outputs: Int, values: [Double], filled: Int) {
        self.lags = lags
        self.outputs = outputs
        self.values = values
        self.filled = filled
    }

    /// True once `lags` values have arrived, so the feature vector holds no padding.
    public var isFull: Bool { filled == lags }

    /// Shifts in the newest value y (q components).
    public mutating func push(_ y: [Double]) {
        let q = outputs
        values.withUnsafeMutableBufferPointer { v in
            var i = v.count - 1
            while i >= q { v[i] = v[i - q]; i -= 1 }
            for j in 0..<q { v[j] = y[j] }
        }
        if filled < lags { filled += 1 }
    }

    /// Writes the feature vector (lags, then the bias 1 if `bias`) into `x`, which must have `lags·q + bias` entries.
    public func features(into x: inout [Double], bias: Bool) {
        x.withUnsafeMutableBufferPointer { xb in
            values.withUnsafeBufferPointer { vb in
                for i in 0..<vb.count { xb[i] = vb[i] }
            }
            if bias { xb[values.count] = 1 }
        }
    }

    public mutating func clear() {
        values.reset(count: lags * outputs, to: 0)
        filled = 0
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(lags); writer.write(outputs); writer.write(filled); writer.write(values)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        lags = try reader.readInt()
        outputs = try reader.readInt()
        filled = try reader.readInt()
        guard lags >= 0, outputs >= 0, filled >= 0, filled <= lags, lags.multipliedReportingOverflow(by: outputs).overflow == false
        else { throw StateDecodingError("inconsistent lag history header") }
        values = try reader.readDoubles(expectedCount: lags * outputs)
    }
}
