/// Slow memory of an RLS model learned across contexts: the prior mean w₀ for new contexts is the running
/// average of the weights W of contexts that have learned at least `minimumPairs` pairs (each context counts once).
///
/// A population of related streams (a shared weight vector plus per-stream deviations) then starts every new
/// stream near the shared vector instead of at zero, which lowers its error over the first observations.
public struct RLSPriorLearner: Sendable, Equatable, BinaryCodable {
    /// Length of W (p × q, row-major).
    public let size: Int
    /// Pairs a context must have learned before its W contributes.
    public let minimumPairs: Int
    /// Running mean of the contributed W (the learned w₀); the configured prior until the first contribution.
    public private(set) var mean: [Double]
    /// Number of contexts that contributed.
    public private(set) var contributions: Int

    /// Starts from the configured prior mean; `minimumPairs` ≥ 1.
    public init(initialMean: [Double], minimumPairs: Int) throws(ParameterError) {
        guard minimumPairs >= 1 else { throw ParameterError("learn_after", "must be ≥ 1 learned pairs, got \(minimumPairs)") }
        size = initialMean.count
        self.minimumPairs = minimumPairs
        mean = initialMean
        contributions = 0
    }

    /// Whether a context with this state should contribute now (it has enough pairs and finite weights).
    public func isReady(_ state: RLSState) -> Bool {
        state.learnedPairs >= minimumPairs && state.weights.count == size && state.weights.allSatisfy { $0.isFinite }
    }

    /// Adds one context's weights to the running mean: w₀ ← w₀ + (W − w₀)/k.
    public mutating func absorb(weights: [Double]) {
        guard weights.count == size, weights.allSatisfy({ $0.isFinite }) else { return }
        contributions += 1
        let k = Double(contributions)
        for i in 0..<size { mean[i] += (weights[i] - mean[i]) / k }
    }

    /// `parameters` with the learned prior mean (what a new or reset context of this model starts from).
    public func parameters(from parameters: RLSParameters) -> RLSParameters {
        guard contributions > 0 else { return parameters }
        // The mean of finite vectors of the right size is finite and of the right size, so this cannot throw.
        return (try? RLSParameters(layout: parameters.layout, outputs: parameters.outputs, lambda: parameters.lambda,
                                   delta: parameters.delta, priorMean: mean, varianceDiscount: parameters.varianceDiscount)) ?? parameters
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(size); writer.write(minimumPairs); writer.write(contributions); writer.write(mean)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        size = try reader.readInt()
        minimumPairs = try reader.readInt()
        contributions = try reader.readInt()
        guard size >= 0, minimumPairs >= 1, contributions >= 0 else { throw StateDecodingError("inconsistent RLS prior learner header") }
        mean = try reader.readDoubles(expectedCount: size)
        guard mean.allSatisfy({ $0.isFinite }) else { throw StateDecodingError("RLS prior learner mean is not finite") }
    }
}
