/// Fast memory of the Gaussian dual filter: ring buffers of the last H scaled likelihood vectors and the last H
/// output measures ρ_s (slot s mod H, d entries each), the count and the log-likelihood.
public struct GaussianDualFilterState: Sendable, Equatable, BinaryCodable {
    /// c̃_s = κ_s c_s (max ½) at slots (s mod H)·d ..< +d for s in max(0, n−H)..<n.
    public var likelihoods: [Double]
    /// ρ_s at slots (s mod H)·d ..< +d for s in max(0, n−H+1)...n; ρ_n is the current estimate of π_n.
    public var measures: [Double]
    public var count: Int
    /// Σ_{t<n} log ρ_t(c_t), in nats.
    public var logLikelihood: Double

    /// The empty context: ρ_0 = μ in slot 0.
    public init(parameters: GaussianDualFilterParameters) {
        let d = parameters.hmm.states, h = parameters.window
        likelihoods = [Double](repeating: 0, count: h * d)
        measures = [Double](repeating: 0, count: h * d)
        for x in 0..<d { measures[x] = parameters.hmm.initial[x] }
        count = 0
        logLikelihood = 0
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(likelihoods)
        writer.write(measures)
        writer.write(count)
        writer.write(logLikelihood)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        likelihoods = try reader.readDoubles()
        measures = try reader.readDoubles()
        count = try reader.readInt()
        logLikelihood = try reader.readDouble()
    }

    func validate(for parameters: GaussianDualFilterParameters) throws(StateDecodingError) {
        let n = parameters.hmm.states * parameters.window
        guard likelihoods.count == n, measures.count == n else {
            throw StateDecodingError("Gaussian dual state has \(likelihoods.count)/\(measures.count) entries, model needs H×d = \(n)")
        }
        guard likelihoods.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 0.5 }), measures.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw StateDecodingError("Gaussian dual state has a negative, non-finite or out-of-range entry")
        }
        guard count >= 0 else { throw StateDecodingError("Gaussian dual state has negative count \(count)") }
    }
}
