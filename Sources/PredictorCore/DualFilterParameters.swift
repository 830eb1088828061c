/// Slow memory of the dual filter: the HMM it estimates and the attention window H of past positions.
///
/// The window bounds the fast memory (H tokens and H measures) and the per-symbol cost O(H d²).
public struct DualFilterParameters: Sendable, Equatable, BinaryCodable {
    public let hmm: HMMParameters
    /// Number of past positions H (1...maxWindow) each estimate attends to.
    public let window: Int

    /// Largest window accepted.
    public static let maxWindow = 65536

    public init(hmm: HMMParameters, window: Int) throws(ParameterError) {
        try Self.checkWindow(window)
        self.hmm = hmm
        self.window = window
    }

    /// H in 1...``maxWindow`` (also the Gaussian dual filter's window).
    static func checkWindow(_ window: Int) throws(ParameterError) {
        guard window >= 1, window <= maxWindow else {
            throw ParameterError("window", "must be an integer in 1...\(maxWindow), got \(window)")
        }
    }

    public func encode(to writer: inout ByteWriter) {
        hmm.encode(to: &writer)
        writer.write(window)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let hmm = try HMMParameters(from: &reader)
        let window = try reader.readInt()
        do {
            try self.init(hmm: hmm, window: window)
        } catch {
            throw StateDecodingError("dual parameters: \(error.description)")
        }
    }
}
