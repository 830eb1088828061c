import PredictorCore

/// One context's part in its HMM model's learning, in a checkpoint: its pending segment and the learner it feeds.
public struct CheckpointHMMContext: Sendable, Equatable, BinaryCodable {
    /// The stream id.
    public var stream: String
    /// ``PredictorEngine/HMMModelLearner/serial`` of the learner the segment is collected for.
    public var learner: Int
    public var collector: HMMSegmentCollector

    public init(stream: String, learner: Int, collector: HMMSegmentCollector) {
        self.stream = stream
        self.learner = learner
        self.collector = collector
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(stream)
        writer.write(learner)
        collector.encode(to: &writer)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        stream = try reader.readString()
        learner = try reader.readInt()
        collector = try HMMSegmentCollector(from: &reader)
    }
}
