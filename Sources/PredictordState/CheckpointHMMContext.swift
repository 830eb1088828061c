import PredictorCore

/// One context's part in its HMM model's learning, in a checkpoint: its pending segment and the learner it feeds
/// (``CheckpointHMMContext`` for symbols, ``CheckpointGaussianContext`` for values, format 4 on).
public struct CheckpointSegmentContext<Element: SegmentElement>: Sendable, Equatable, BinaryCodable {
    /// The stream id.
    public var stream: String
    /// ``PredictorEngine/EMModelLearner/serial`` of the learner the segment is collected for.
    public var learner: Int
    public var collector: SegmentCollector<Element>

    public init(stream: String, learner: Int, collector: SegmentCollector<Element>) {
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
        collector = try SegmentCollector(from: &reader)
    }
}

/// A pending segment of symbols (format 2 on).
public typealias CheckpointHMMContext = CheckpointSegmentContext<Int>
/// A pending segment of real values of a Gaussian HMM model (format 4 on).
public typealias CheckpointGaussianContext = CheckpointSegmentContext<Double>
