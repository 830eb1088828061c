import Synchronization

/// The only meeting point of the poll thread and the HTTP server: snapshots the loop publishes, the streams the
/// live page watches and their recent points, and `/streams/<id>` questions the loop answers between drains.
///
/// Every access is a short critical section over plain values (`Mutex`), so neither side waits on the other's
/// work; the class is Sendable through `Mutex` and `Atomic` alone.
public final class TelemetryHub: Sendable {
    /// Points kept per watched stream (older ones are dropped): what one SSE connection can be behind by.
    public let pointsPerStream: Int
    private let snapshotBox = Mutex(TelemetrySnapshot())
    private let checkpointBox = Mutex(CheckpointTelemetry())
    private let watches = Mutex<[String: Watch]>([:])
    /// Bumped on every change of the watched set, so the poll loop re-reads it only then.
    private let watchVersion = Atomic<UInt64>(0)
    private let questions = Mutex<[Question]>([])
    private let searches = Mutex<[Search]>([])

    private struct Watch {
        var watchers = 0
        var points: [StreamPoint] = []
        var nextIndex: UInt64 = 1
    }

    private struct Question {
        var stream: String
        var answer: CheckedContinuation<StreamStatus?, Never>
    }

    private struct Search {
        var prefix: String
        var limit: Int
        var answer: CheckedContinuation<[String], Never>
    }

    public init(pointsPerStream: Int = 600) {
        self.pointsPerStream = pointsPerStream
    }

    // MARK: snapshots

    public var snapshot: TelemetrySnapshot { snapshotBox.withLock { $0 } }

    /// Called by the poll loop at its publishing cadence.
    public func publish(_ snapshot: TelemetrySnapshot) {
        snapshotBox.withLock { $0 = snapshot }
    }

    public var checkpoint: CheckpointTelemetry { checkpointBox.withLock { $0 } }

    /// Called by the checkpoint writer's queue after each attempt.
    public func recordCheckpoint(bytes: Int?, durationNanoseconds: Int64, at time: Double) {
        checkpointBox.withLock { c in
            if let bytes {
                c.succeeded &+= 1
                c.lastBytes = bytes
                c.lastSuccess = time
            } else {
                c.failed &+= 1
            }
            c.durations.record(durationNanoseconds)
        }
    }

    /// A restored checkpoint counts as the last good one for its age and size (no write is counted).
    public func recordRestoredCheckpoint(createdAt: Double, bytes: Int) {
        checkpointBox.withLock { c in
            c.lastSuccess = createdAt
            c.lastBytes = bytes
        }
    }

    // MARK: watched streams (live page)

    /// Starts watching `stream` for one more viewer; returns the index of its newest point (0 for none).
    @discardableResult
    public func watch(_ stream: String) -> UInt64 {
        let newest = watches.withLock { w -> UInt64 in
            w[stream, default: Watch()].watchers += 1
            return w[stream]!.nextIndex - 1
        }
        watchVersion.add(1, ordering: .releasing)
        return newest
    }

    /// One viewer of `stream` left; the stream's points are dropped with its last viewer.
    public func unwatch(_ stream: String) {
        watches.withLock { w in
            guard var watch = w[stream] else { return }
            watch.watchers -= 1
            w[stream] = watch.watchers > 0 ? watch : nil
        }
        watchVersion.add(1, ordering: .releasing)
    }

    /// The poll loop's cheap check: the watched set changed since `version`.
    public var watchedVersion: UInt64 { watchVersion.load(ordering: .acquiring) }

    /// The streams being watched now.
    public var watchedStreams: Set<String> { watches.withLock { Set($0.keys) } }

    /// Appends the poll loop's new points (their `index` is assigned here); points of unwatched streams are dropped.
    public func append(_ points: [(stream: String, point: StreamPoint)]) {
        guard !points.isEmpty else { return }
        watches.withLock { w in
            for (stream, point) in points {
                guard var watch = w[stream] else { continue }
                var p = point
                p.index = watch.nextIndex
                watch.nextIndex += 1
                watch.points.append(p)
                if watch.points.count > pointsPerStream { watch.points.removeFirst(watch.points.count - pointsPerStream) }
                w[stream] = watch
            }
        }
    }

    /// The kept points of `stream` after index `cursor` (all kept ones for 0).
    public func points(of stream: String, after cursor: UInt64) -> [StreamPoint] {
        watches.withLock { w in
            guard let points = w[stream]?.points else { return [] }
            guard let first = points.firstIndex(where: { $0.index > cursor }) else { return [] }
            return Array(points[first...])
        }
    }

    // MARK: questions to the poll loop

    /// Asks the poll loop for `stream`'s status; nil when it has no such stream (or the loop has stopped).
    public func status(of stream: String) async -> StreamStatus? {
        await withCheckedContinuation { continuation in
            questions.withLock { $0.append(Question(stream: stream, answer: continuation)) }
        }
    }

    /// Called by the poll loop between drains: answers every waiting question with `lookup`.
    public func answerQuestions(_ lookup: (String) -> StreamStatus?) {
        let waiting = questions.withLock { q -> [Question] in
            defer { q.removeAll() }
            return q
        }
        for question in waiting { question.answer.resume(returning: lookup(question.stream)) }
    }

    /// Asks the poll loop for up to `limit` live stream ids starting with `prefix` (a scan of every context).
    public func streams(withPrefix prefix: String, limit: Int) async -> [String] {
        await withCheckedContinuation { continuation in
            searches.withLock { $0.append(Search(prefix: prefix, limit: limit, answer: continuation)) }
        }
    }

    /// Called by the poll loop between drains: answers every waiting prefix search with `scan(prefix, limit)`.
    public func answerSearches(_ scan: (String, Int) -> [String]) {
        let waiting = searches.withLock { q -> [Search] in
            defer { q.removeAll() }
            return q
        }
        for search in waiting { search.answer.resume(returning: scan(search.prefix, search.limit)) }
    }
}
