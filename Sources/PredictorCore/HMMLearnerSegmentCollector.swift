/// Fast-memory companion of an HMM context that cuts its symbol stream into ``HMMSegment``s of up to `length`
/// symbols for the slow-memory learner, remembering the predictive measure π at each segment's start.
///
/// Feed it every accepted symbol with the context's π after that symbol; it yields a segment when `length`
/// symbols have gathered and starts the next one from that π. Bit-exact coding keeps checkpointed contexts whole.
public struct HMMSegmentCollector: Sendable, Equatable, BinaryCodable {
    /// Symbols per full segment L (1...1_000_000).
    public let length: Int
    /// π at the first symbol of the pending segment.
    public private(set) var start: [Double]
    /// Symbols gathered so far (fewer than `length`).
    public private(set) var symbols: [Int]
    /// Whether the pending segment begins at the context's first symbol.
    public private(set) var startsContext: Bool

    /// Largest segment length accepted.
    public static let maxLength = 1_000_000

    /// A collector for a new context whose first predictive measure is `start` (the model's μ).
    public init(length: Int, start: [Double]) throws(ParameterError) {
        guard length >= 1, length <= Self.maxLength else {
            throw ParameterError("learn_segment", "must be an integer in 1...\(Self.maxLength), got \(length)")
        }
        self.length = length
        self.start = start
        symbols = []
        symbols.reserveCapacity(length)
        startsContext = true
    }

    /// Records symbol z; `next` is the context's π after z. Returns the completed segment when it reaches `length`.
    public mutating func append(_ symbol: Int, next: [Double]) -> HMMSegment? {
        symbols.append(symbol)
        guard symbols.count >= length else { return nil }
        let segment = HMMSegment(start: start, symbols: symbols, startsContext: startsContext)
        start = next
        symbols = []
        symbols.reserveCapacity(length)
        startsContext = false
        return segment
    }

    /// The partial segment gathered so far (nil when empty), e.g. to absorb when the context ends.
    public var pending: HMMSegment? {
        symbols.isEmpty ? nil : HMMSegment(start: start, symbols: symbols, startsContext: startsContext)
    }

    /// Context reset: returns the pending partial segment and begins a context-start segment from `start` (μ).
    public mutating func reset(to start: [Double]) -> HMMSegment? {
        let flushed = pending
        self.start = start
        symbols.removeAll(keepingCapacity: true)
        startsContext = true
        return flushed
    }

    /// Checks the collector against a model's shapes: d finite non-negative entries, symbols in 0..<m.
    public func validate(for parameters: HMMParameters) throws(StateDecodingError) {
        guard start.count == parameters.states else {
            throw StateDecodingError("segment collector has \(start.count) states, model has \(parameters.states)")
        }
        guard symbols.allSatisfy({ $0 >= 0 && $0 < parameters.symbols }) else {
            throw StateDecodingError("segment collector holds a symbol outside 0..<\(parameters.symbols)")
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(length)
        writer.write(startsContext)
        writer.write(start)
        writer.write(symbols)
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
        symbols = try reader.readInts()
        guard symbols.count < length else {
            throw StateDecodingError("segment collector holds \(symbols.count) symbols, length is \(length)")
        }
    }
}
