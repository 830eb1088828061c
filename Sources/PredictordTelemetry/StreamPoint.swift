/// One step of a watched stream for the live page: the observation and the forecast published after it.
public struct StreamPoint: Sendable, Equatable {
    /// Position in the stream's point log (from 1), the SSE event id.
    public var index: UInt64
    /// The observation's seq, if the publisher sent one.
    public var seq: UInt64?
    /// The observed value (first component; the symbol's value for symbol streams; NaN for a reset).
    public var y: Double
    /// The forecast of the next value: its mean and first interval (NaN where none).
    public var mean: Double
    public var lower: Double
    public var upper: Double

    public init(index: UInt64, seq: UInt64?, y: Double, mean: Double, lower: Double, upper: Double) {
        self.index = index
        self.seq = seq
        self.y = y
        self.mean = mean
        self.lower = lower
        self.upper = upper
    }
}
