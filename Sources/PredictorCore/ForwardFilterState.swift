/// Fast memory of the forward algorithm: the predictive measure π_n, the count n and Σ log π_t(c_t).
///
/// Encodes bit-exactly so a checkpointed context continues with identical predictions.
public struct ForwardFilterState: Sendable, Equatable, BinaryCodable {
    /// π_n(x) = P(X_n = x | Z_0..Z_{n−1}): d entries summing to 1.
    public var predictive: [Double]
    /// Observations absorbed (n).
    public var count: Int
    /// Σ_{t<n} log π_t(c_{z_t}) = log P(Z_0..Z_{n−1}), in nats.
    public var logLikelihood: Double

    public init(predictive: [Double], count: Int = 0, logLikelihood: Double = 0) {
        self.predictive = predictive
        self.count = count
        self.logLikelihood = logLikelihood
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(predictive)
        writer.write(count)
        writer.write(logLikelihood)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        predictive = try reader.readDoubles()
        count = try reader.readInt()
        logLikelihood = try reader.readDouble()
    }

    /// Checks the state against the model's shapes: d finite non-negative entries, n ≥ 0.
    func validate(for parameters: HMMParameters) throws(StateDecodingError) { try validate(states: parameters.states) }

    /// The same check for any HMM of `states` states (symbol or Gaussian emissions).
    func validate(states: Int) throws(StateDecodingError) {
        guard predictive.count == states else {
            throw StateDecodingError("forward state has \(predictive.count) states, model has \(states)")
        }
        guard predictive.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw StateDecodingError("forward state has a negative or non-finite probability")
        }
        guard count >= 0 else { throw StateDecodingError("forward state has negative count \(count)") }
    }
}
