/// The head every online-EM learner codes first: the step-size constants k₀, κ and the counters of segments and
/// context starts absorbed, read back with the same checks (``HMMLearner``, ``GaussianHMMLearner``).
enum StepSchedule {
    static func write(offset: Double, exponent: Double, contributions: Int, contexts: Int, to writer: inout ByteWriter) {
        writer.write(offset)
        writer.write(exponent)
        writer.write(contributions)
        writer.write(contexts)
    }

    /// Throws, naming `learner`, when k₀ < 0 or not finite, κ ∉ (0.5, 1], or the counters are inconsistent.
    static func read(from reader: inout ByteReader, learner: String) throws(StateDecodingError)
        -> (offset: Double, exponent: Double, contributions: Int, contexts: Int) {
        let offset = try reader.readDouble(), exponent = try reader.readDouble()
        guard offset.isFinite, offset >= 0, exponent > 0.5, exponent <= 1 else {
            throw StateDecodingError("\(learner) step size k0 = \(offset), kappa = \(exponent) out of range")
        }
        let contributions = try reader.readInt(), contexts = try reader.readInt()
        guard contributions >= 0, contexts >= 0, contexts <= contributions else {
            throw StateDecodingError("\(learner) counters \(contributions), \(contexts) inconsistent")
        }
        return (offset, exponent, contributions, contexts)
    }
}
