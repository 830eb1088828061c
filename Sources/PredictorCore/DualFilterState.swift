/// Fast memory of the dual filter: ring buffers of the last H tokens and the last H output measures ρ_s.
///
/// Slot s mod H holds z_s and ρ_s; unused slots are 0, so equal histories encode to identical bytes.
public struct DualFilterState: Sendable, Equatable, BinaryCodable {
    /// z_s at slot s mod H for s in max(0, n−H)..<n (H entries).
    public var tokens: [Int]
    /// ρ_s at slots (s mod H)·d ..< +d for s in max(0, n−H+1)...n (H·d entries); ρ_n is the current estimate of π_n.
    public var measures: [Double]
    /// Observations absorbed (n).
    public var count: Int
    /// Σ_{t<n} log ρ_t(c_{z_t}): the log-likelihood under the dual filter's own estimates, in nats.
    public var logLikelihood: Double

    public init(tokens: [Int], measures: [Double], count: Int, logLikelihood: Double) {
        self.tokens = tokens
        self.measures = measures
        self.count = count
        self.logLikelihood = logLikelihood
    }

    /// The empty context: ρ_0 = μ in slot 0.
    public init(parameters: DualFilterParameters) {
        let d = parameters.hmm.states, h = parameters.window
        tokens = [Int](repeating: 0, count: h)
        measures = [Double](repeating: 0, count: h * d)
        for x in 0..<d { measures[x] = parameters.hmm.initial[x] }
        count = 0
        logLikelihood = 0
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(tokens)
        writer.write(measures)
        writer.write(count)
        writer.write(logLikelihood)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        tokens = try reader.readInts()
        measures = try reader.readDoubles()
        count = try reader.readInt()
        logLikelihood = try reader.readDouble()
    }

    /// Checks shapes and that every stored token indexes the alphabet, so a corrupt checkpoint cannot index out of range.
    func validate(for parameters: DualFilterParameters) throws(StateDecodingError) {
        let d = parameters.hmm.states, h = parameters.window, m = parameters.hmm.symbols
        guard tokens.count == h else {
            throw StateDecodingError("dual state has a window of \(tokens.count) tokens, model has \(h)")
        }
        guard measures.count == h * d else {
            throw StateDecodingError("dual state has \(measures.count) measure entries, model needs H×d = \(h * d)")
        }
        guard tokens.allSatisfy({ $0 >= 0 && $0 < m }) else {
            throw StateDecodingError("dual state holds a symbol outside 0..<\(m)")
        }
        guard measures.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw StateDecodingError("dual state has a negative or non-finite probability")
        }
        guard count >= 0 else { throw StateDecodingError("dual state has negative count \(count)") }
    }
}
