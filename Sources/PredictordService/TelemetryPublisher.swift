import PredictorCore
import PredictorEngine
import PredictordConfig
import PredictordTelemetry

/// The poll loop's side of the HTTP endpoint: latency per model, the watched streams' points and the largest
/// recent errors, kept in plain values on the poll thread and handed to the ``TelemetryHub`` every
/// ``publishInterval`` (copies under a lock held for nanoseconds: the loop never waits for a scrape).
struct TelemetryPublisher {
    let hub: TelemetryHub
    /// Seconds between snapshots.
    static let publishInterval = 0.25
    /// Seconds per period of the largest-errors list (it shows the current and the previous one).
    static let errorPeriod = 10.0
    private var latency: [BucketHistogram] = []
    private var batches = BucketHistogram(bounds: BucketHistogram.batchBounds)
    private var budgetExhausted: UInt64 = 0
    private var watched: Set<String> = []
    private var watchedVersion: UInt64 = .max
    private var points: [(stream: String, point: StreamPoint)] = []
    private var errors = LargestErrors()
    private var nextPublish = 0.0
    private var nextRotation: Double
    /// Configuration lines per model definition (computed once per definition).
    private var configurationLines: [[String]] = []
    private let restoredCheckpointTime: Double?
    /// One received message in `sampleEvery` is timed (`http.latency_sample_every`); `received` counts them.
    let sampleEvery: UInt64
    private(set) var received: UInt64 = 0

    init(hub: TelemetryHub, now: Double, restoredCheckpointTime: Double?, sampleEvery: Int) {
        self.hub = hub
        self.sampleEvery = UInt64(max(1, sampleEvery))
        self.restoredCheckpointTime = restoredCheckpointTime
        nextRotation = now + Self.errorPeriod
    }

    /// Whether the next received message is one to time.
    var timesNext: Bool { received % sampleEvery == 0 }

    /// Counts a received message (published or not).
    mutating func countReceived() { received &+= 1 }

    /// One published prediction: `nanoseconds` from its receipt to its send, or nil when it is held for its journal
    /// batch (then ``latency(model:nanoseconds:)`` records it when the batch is sent).
    mutating func published(engine: borrowing PredictionEngine, pipeline: borrowing MessagePipeline, nanoseconds: Int64?) {
        let model = engine.lastModelIndex
        if let nanoseconds { latency(model: model, nanoseconds: nanoseconds) }
        let z = engine.lastStandardizedError
        if errors.admits(z) { errors.offer(stream: pipeline.prediction.stream, model: engine.models[model].name, z: z) }
        guard !watched.isEmpty else { return }
        let out = pipeline.prediction
        guard watched.contains(out.stream) else { return }
        var y = pipeline.observedValue
        if out.prediction.kind == .symbol, y.isFinite {
            let values = engine.models[model].values
            let z = Int(y)
            y = z < values.count ? values[z] : y
        }
        let n = out.prediction.kind == .real ? out.prediction.mean.count : 1
        let bounds = out.prediction.interval
        points.append((out.stream, StreamPoint(
            index: 0, seq: out.seq.map { $0 &- 1 }, y: y, mean: out.prediction.mean.first ?? .nan,
            lower: bounds.count >= 2 * n ? bounds[0] : .nan, upper: bounds.count >= 2 * n ? bounds[n] : .nan)))
    }

    /// One prediction of model `model` sent `nanoseconds` after its observation was received.
    mutating func latency(model: Int, nanoseconds: Int64) {
        while latency.count <= model { latency.append(.latency) }
        latency[model].record(nanoseconds)
    }

    /// One poll wake-up's drain: `messages` received (wake-ups that found none are not counted), and whether it
    /// stopped at its budget with more possibly waiting.
    mutating func drained(_ messages: Int, exhaustedBudget: Bool) {
        if messages > 0 { batches.record(Int64(messages)) }
        if exhaustedBudget { budgetExhausted &+= 1 }
    }

    /// Between drains: answers `/streams/<id>` questions, refreshes the watched set, and publishes at its cadence.
    mutating func tick(engine: borrowing PredictionEngine, transportDrops: DropCounts, now: Double) {
        hub.answerQuestions { stream in
            guard let s = engine.status(of: stream) else { return nil }
            return StreamStatus(stream: stream, model: s.model.name, count: s.prediction.prediction.count,
                                lastSeq: s.context.lastSeq, prediction: s.prediction)
        }
        hub.answerSearches { prefix, limit in
            var found: [String] = []
            for key in engine.contexts.keys where key.string.hasPrefix(prefix) {
                found.append(key.string)
                if found.count == limit { break }
            }
            return found.sorted()
        }
        let version = hub.watchedVersion
        if version != watchedVersion {
            watchedVersion = version
            watched = hub.watchedStreams
        }
        if !points.isEmpty {
            hub.append(points)
            points.removeAll(keepingCapacity: true)
        }
        guard now >= nextPublish else { return }
        nextPublish = now + Self.publishInterval
        if now >= nextRotation {
            nextRotation = now + Self.errorPeriod
            errors.rotate()
        }
        var snapshot = TelemetrySnapshot()
        snapshot.time = now
        snapshot.counters = engine.counters.adding(transportDrops)
        snapshot.modelNames = engine.models.map(\.name)
        snapshot.contexts = engine.contexts.count
        while latency.count < engine.models.count { latency.append(.latency) }
        snapshot.latency = latency
        snapshot.pollBatches = batches
        snapshot.pollBudgetExhausted = budgetExhausted
        snapshot.largestErrors = errors.largest
        snapshot.restoredCheckpointTime = restoredCheckpointTime
        while configurationLines.count < engine.models.count {
            configurationLines.append(ConfigurationRenderer.modelLines(engine.models[configurationLines.count]).dropFirst()
                .map { String($0.drop { $0 == " " }) })
        }
        let learners = engine.learning.learners
        snapshot.models = engine.activeModels.map { index in
            let m = engine.models[index]
            return ModelSummary(name: m.name, kind: m.kind, match: m.match, configuration: configurationLines[index],
                                learned: Self.lines(of: learners[m.name]))
        }
        hub.publish(snapshot)
    }

    /// A model's learned slow memory, as `key: value` lines (what `predictord inspect` shows); none before it learned.
    static func lines(of learner: ModelLearner?) -> [String] {
        func list(_ v: [Double]) -> String { "[" + v.map { "\($0)" }.joined(separator: ", ") + "]" }
        switch learner {
        case let .rlsPrior(l)? where l.contributions > 0:
            return ["prior_mean: \(list(l.mean))", "contexts: \(l.contributions)"]
        case let .hmm(h)? where h.publications > 0: return hmmLines(h)
        case let .gaussianHMM(h)? where h.publications > 0: return hmmLines(h)
        case let .softmax(s)? where s.publications > 0:
            return ["beta: \(s.published)", "contexts: \(s.contexts)", "steps: \(s.steps)"]
        default:
            return []
        }
    }

    /// An online-EM learner's published entries (either HMM family) and its counters.
    private static func hmmLines<L>(_ h: EMModelLearner<L>) -> [String] {
        L.entries(of: h.published).map { "\($0.key): [" + $0.values.map { "\($0)" }.joined(separator: ", ") + "]" }
            + ["contexts: \(h.learner.contexts)", "segments: \(h.learner.contributions)"]
    }
}
