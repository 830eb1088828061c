/// Fast-memory companion of an HMM context that cuts its observations into ``ObservationSegment``s of up to
/// `length` observations for the slow-memory learner, remembering the predictive measure π at each segment's start.
///
/// Feed it every accepted observation with the context's π after it; it yields a segment when `length`
/// observations have gathered and starts the next one from that π. Bit-exact coding keeps checkpointed contexts whole.
public struct SegmentCollector<Element: SegmentElement>: Sendable, Equatable, BinaryCodable {
    /// Observations per full segment L (1...1_000_000).
    public let length: Int
    /// π at the first observation of the pending segment.
    public private(set) var start: [Double]
    /// Observations gathered so far (fewer than `length`).
    public private(set) var observations: [Element]
    /// Whether the pending segment begins at the context's first observation.
    public private(set) var startsContext: Bool

    /// Largest segment length accepted.
    public static var maxLength: Int { 1_000_000 }

    /// A collector for a new context whose first predictive measure is `start` (the model's μ).
    public init(length: Int, start: [Double]) throws(ParameterError) {
        guard length >= 1, length <= Self.maxLength else {
            throw ParameterError("learn_segment", "must be an integer in 1...\(Self.maxLength), got \(length)")
        }
        self.length = length
        self.start = start
        observations = []
        observations.reserveCapacity(length)
        startsContext = true
    }

    /// Records one observation; `next` is the context's π after it. Returns the completed segment at `length`.
    public mutating func append(_ observation: Element, next: [Double]) -> ObservationSegment<Element>? {
        observations.append(observation)
        guard observations.count >= length else { return nil }
        let segment = ObservationSegment(start: start, observations: observations, startsContext: startsContext)
        start = next
        observations = []
        observations.reserveCapacity(length)
        startsContext = false
        return segment
    }

    /// The partial segment gathered so far (nil when empty), e.g. to absorb when the context ends.
    public var pending: ObservationSegment<Element>? {
        observations.isEmpty ? nil : ObservationSegment(start: start, observations: observations, startsContext: startsContext)
    }

    /// Context reset: returns the pending partial segment and begins a context-start segment from `start` (μ).
    public mutating func reset(to start: [Double]) -> ObservationSegment<Element>? {
        let flushed = pending
        self.start = start
        observations.removeAll(keepingCapacity: true)
        startsContext = true
        return flushed
    }

    /// Checks the collector against a model of `states` hidden states whose observations satisfy `valid`.
    public func validate(states: Int, valid: (Element) -> Bool) throws(StateDecodingError) {
        guard start.count == states else {
            throw StateDecodingError("segment collector has \(start.count) states, model has \(states)")
        }
        guard observations.allSatisfy(valid) else {
            throw StateDecodingError("segment collector holds an observation the model cannot emit")
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(length)
        writer.write(startsContext)
        writer.write(start)
        Element.write(observations, to: &writer)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        length = try reader.readInt()
        guard length >= 1, length <= Self.maxLength else {
            throw StateDecodingError("segment collector length \(length) outside 1...\(Self.maxLength)")
        }
        startsContext = try reader.readBool()
        start = try reader.readDoubles()
        guard start.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw StateDecodingError("segment collector start measure has a negative or non-finite entry")
        }
        observations = try Element.readRun(from: &reader)
        guard observations.count < length else {
            throw StateDecodingError("segment collector holds \(observations.count) observations, length is \(length)")
        }
    }
}

/// Cuts a symbol stream (``HMMLearner``).
public typealias HMMSegmentCollector = SegmentCollector<Int>
/// Cuts a stream of real values (``GaussianHMMLearner``).
public typealias GaussianSegmentCollector = SegmentCollector<Double>

extension SegmentCollector where Element == Int {
    /// The pending segment's symbols.
    public var symbols: [Int] { observations }

    /// Checks the collector against a model's shapes: d finite non-negative entries, symbols in 0..<m.
    public func validate(for parameters: HMMParameters) throws(StateDecodingError) {
        try validate(states: parameters.states) { $0 >= 0 && $0 < parameters.symbols }
    }
}
