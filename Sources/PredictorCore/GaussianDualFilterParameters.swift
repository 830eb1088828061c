/// Slow memory of the dual filter with Gaussian emissions: the HMM it estimates and the window H of past positions.
public struct GaussianDualFilterParameters: Sendable, Equatable, BinaryCodable {
    public let hmm: GaussianHMMParameters
    /// Number of past positions H (1...``DualFilterParameters/maxWindow``) each estimate attends to.
    public let window: Int

    public init(hmm: GaussianHMMParameters, window: Int) throws(ParameterError) {
        try DualFilterParameters.checkWindow(window)
        self.hmm = hmm
        self.window = window
    }

    public func encode(to writer: inout ByteWriter) {
        hmm.encode(to: &writer)
        writer.write(window)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let hmm = try GaussianHMMParameters(from: &reader)
        let window = try reader.readInt()
        do {
            try self.init(hmm: hmm, window: window)
        } catch {
            throw StateDecodingError("dual parameters: \(error.description)")
        }
    }
}
