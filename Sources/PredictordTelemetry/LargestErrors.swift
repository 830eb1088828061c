/// The few streams with the largest |standardized error| seen in the current and the previous period, one entry
/// per stream: what the live page lists as "largest recent error". A sample below the smallest kept one costs a
/// comparison, so the poll loop can offer every scored observation.
public struct LargestErrors: Sendable {
    public let capacity: Int
    private var current: [StreamError] = []
    private var previous: [StreamError] = []
    /// Smallest |z| kept in `current` once full (0 before).
    private var floor = 0.0

    public init(capacity: Int = 10) {
        self.capacity = capacity
    }

    /// Whether `z` would enter the list (check this before building the stream's name).
    public func admits(_ z: Double) -> Bool { z.isFinite && z.magnitude > floor }

    public mutating func offer(stream: String, model: String, z: Double) {
        guard admits(z) else { return }
        if let i = current.firstIndex(where: { $0.stream == stream }) {
            guard z.magnitude > current[i].standardizedError.magnitude else { return }
            current.remove(at: i)
        } else if current.count == capacity {
            current.removeLast()
        }
        let entry = StreamError(stream: stream, model: model, standardizedError: z)
        let at = current.firstIndex { $0.standardizedError.magnitude < z.magnitude } ?? current.endIndex
        current.insert(entry, at: at)
        floor = current.count == capacity ? current.last!.standardizedError.magnitude : 0
    }

    /// Starts a new period: what the current one found becomes the previous one.
    public mutating func rotate() {
        previous = current
        current = []
        floor = 0
    }

    /// The current and previous periods merged, largest first, one entry per stream.
    public var largest: [StreamError] {
        var seen = Set<String>()
        return (current + previous).sorted { $0.standardizedError.magnitude > $1.standardizedError.magnitude }
            .filter { seen.insert($0.stream).inserted }.prefix(capacity).map { $0 }
    }
}
