import CoreMetrics
import Prometheus
import PredictorEngine
import PredictordTelemetry
import Synchronization

/// Turns telemetry snapshots into swift-metrics counters, gauges and timers on its own Prometheus registry and
/// renders the registry (swift-prometheus writes the text format): the registry is this object's, passed to
/// every metric as its factory, so nothing is bootstrapped process-wide and tests can run several side by side.
///
/// Snapshots carry cumulative counts; each scrape applies what changed since the previous one (counters by their
/// increase, histograms by replaying each bucket's new samples at their exact mean, so counts and sums are exact).
public final class MetricsExporter: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let state: Mutex<State>

    /// What has been applied to the registry so far, and the metric objects by label.
    private struct State {
        var counters: [String: CoreMetrics.Counter] = [:]
        var gauges: [String: CoreMetrics.Gauge] = [:]
        var timers: [String: CoreMetrics.Timer] = [:]
        var recorders: [String: CoreMetrics.Recorder] = [:]
        var applied: [String: UInt64] = [:]
        var appliedHistograms: [String: BucketHistogram] = [:]
    }

    /// The one histogram of counts (a swift-metrics recorder); the others are durations (timers).
    static let batchLabel = "predictord_poll_batch_messages"

    public init(version: String) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            "predictord_latency_seconds": BucketHistogram.latencyBoundsNanos.map { .nanoseconds($0) },
            "predictord_checkpoint_duration_seconds": BucketHistogram.checkpointBoundsNanos.map { .nanoseconds($0) },
        ]
        factory.valueHistogramBuckets = [Self.batchLabel: BucketHistogram.batchBounds.map { Double($0) }]
        self.factory = factory
        state = Mutex(State())
        state.withLock { s in
            Self.gauge(&s, factory, "predictord_build_info", [("version", version)]).record(1)
        }
    }

    /// Applies `snapshot` and the checkpoint figures, then returns the exposition (text format 0.0.4).
    public func scrape(_ snapshot: TelemetrySnapshot, checkpoint: CheckpointTelemetry, residentBytes: Int?, now: Double) -> [UInt8] {
        state.withLock { s in
            apply(snapshot, checkpoint: checkpoint, residentBytes: residentBytes, now: now, to: &s)
            return registry.emitToBuffer()
        }
    }

    private func apply(_ snap: TelemetrySnapshot, checkpoint: CheckpointTelemetry, residentBytes: Int?, now: Double, to s: inout State) {
        let c = snap.counters
        count(&s, "predictord_observations_total", [], c.observations)
        count(&s, "predictord_predictions_total", [], c.predictions)
        for (reason, n) in c.drops { count(&s, "predictord_dropped_total", [("reason", reason)], n) }
        count(&s, "predictord_contexts_created_total", [], c.contextsCreated)
        count(&s, "predictord_contexts_evicted_total", [], c.contextsEvicted)
        count(&s, "predictord_checkpoint_writes_total", [("result", "ok")], checkpoint.succeeded)
        count(&s, "predictord_checkpoint_writes_total", [("result", "failed")], checkpoint.failed)
        Self.gauge(&s, factory, "predictord_contexts", []).record(Double(snap.contexts))
        if let residentBytes { Self.gauge(&s, factory, "predictord_resident_memory_bytes", []).record(Double(residentBytes)) }
        if let last = checkpoint.lastSuccess {
            Self.gauge(&s, factory, "predictord_checkpoint_age_seconds", []).record(max(0, now - last))
            Self.gauge(&s, factory, "predictord_checkpoint_bytes", []).record(Double(checkpoint.lastBytes))
        }
        histogram(&s, "predictord_checkpoint_duration_seconds", [], checkpoint.durations)
        histogram(&s, Self.batchLabel, [], snap.pollBatches)
        count(&s, "predictord_poll_budget_exhausted_total", [], snap.pollBudgetExhausted)

        // Models by name: a reloaded definition keeps its name, so its latencies add up and the newest
        // definition's quality (the one serving new streams) is the one shown.
        var latency: [String: BucketHistogram] = [:]
        var quality: [String: QualityWindow] = [:]
        for (index, name) in snap.modelNames.enumerated() {
            if index < snap.latency.count { latency[name, default: .latency].merge(snap.latency[index]) }
            if index < c.models.count { quality[name] = c.models[index].recent }
        }
        for (name, h) in latency { histogram(&s, "predictord_latency_seconds", [("model", name)], h) }
        for (name, q) in quality {
            if let v = q.meanSquaredError { Self.gauge(&s, factory, "predictord_model_mse", [("model", name)]).record(v) }
            if let v = q.logLoss { Self.gauge(&s, factory, "predictord_model_log_loss", [("model", name)]).record(v) }
            if let v = q.coverage { Self.gauge(&s, factory, "predictord_model_interval_coverage", [("model", name)]).record(v) }
        }
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
    }

    /// Raises a counter to the cumulative `total` (a total below the applied one, after a restart of the
    /// source, is taken as counted from zero).
    private func count(_ s: inout State, _ label: String, _ dimensions: [(String, String)], _ total: UInt64) {
        let k = Self.key(label, dimensions)
        let counter = s.counters[k] ?? CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
        s.counters[k] = counter
        let before = s.applied[k] ?? 0
        let delta = total >= before ? total - before : total
        if delta > 0 { counter.increment(by: Int(clamping: delta)) }
        s.applied[k] = total
    }

    private static func gauge(_ s: inout State, _ factory: PrometheusMetricsFactory, _ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Gauge {
        let k = key(label, dimensions)
        if let g = s.gauges[k] { return g }
        let g = CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
        s.gauges[k] = g
        return g
    }

    /// Records the samples `histogram` holds beyond those applied: per bucket, n new samples with sum Σ are
    /// recorded as r samples of ⌊Σ/n⌋+1 ns and n−r of ⌊Σ/n⌋ ns (r = Σ mod n), all inside the bucket.
    /// Counts go to a recorder (``batchLabel``), nanoseconds to a timer. A scrape costs one locked record per new
    /// sample: latency samples are one message in `http.latency_sample_every`, batches one per busy wake-up.
    private func histogram(_ s: inout State, _ label: String, _ dimensions: [(String, String)], _ histogram: BucketHistogram) {
        let k = Self.key(label, dimensions)
        let record: (Int64) -> Void
        if label == Self.batchLabel {
            let recorder = s.recorders[k] ?? CoreMetrics.Recorder(label: label, dimensions: dimensions, aggregate: true, factory: factory)
            s.recorders[k] = recorder
            record = { recorder.record($0) }
        } else {
            let timer = s.timers[k] ?? CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
            s.timers[k] = timer
            record = { timer.recordNanoseconds($0) }
        }
        let before = s.appliedHistograms[k] ?? BucketHistogram(bounds: histogram.bounds)
        for i in histogram.counts.indices {
            let n = histogram.counts[i] &- before.counts[i], sum = histogram.sums[i] &- before.sums[i]
            guard n > 0, n <= histogram.counts[i] else { continue }
            let q = sum / Int64(n), r = UInt64(sum % Int64(n))
            for j in 0..<n { record(j < r ? q + 1 : q) }
        }
        s.appliedHistograms[k] = histogram
    }
}
