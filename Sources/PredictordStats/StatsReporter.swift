import PredictorEngine
import Systemd

/// Builds the periodic stats entry from two `EngineCounters` snapshots (pure), and optionally keeps the previous
/// snapshot itself (`report(current:now:contexts:extraFields:)`).
public struct StatsReporter: Sendable {
    /// `MESSAGE_ID` of every stats entry (`journalctl MESSAGE_ID=a63f0469a10a4f369ad2c570dccd5770`); generated once
    /// for predictord, never change it.
    public static let messageID = "a63f0469a10a4f369ad2c570dccd5770"

    /// Model names, aligned with `EngineCounters.models`; a model without a name is reported by its index.
    public var modelNames: [String]
    /// The snapshot and time (seconds) of the last report, for `report(current:now:contexts:extraFields:)`.
    public private(set) var previous: EngineCounters
    public private(set) var previousTime: Double

    /// A reporter whose first interval starts at `start` with counters `initial`.
    public init(modelNames: [String], start: Double, initial: EngineCounters = EngineCounters()) {
        self.modelNames = modelNames
        self.previous = initial
        self.previousTime = start
    }

    /// The entry for the interval since the last report (or `start`), then remembers `current` and `now`.
    public mutating func report(
        current: EngineCounters,
        now: Double,
        contexts: Int,
        extraFields: [JournalField] = []
    ) -> StatsEntry {
        let entry = Self.entry(
            previous: previous, current: current, elapsedSeconds: now - previousTime, contexts: contexts,
            modelNames: modelNames, extraFields: extraFields
        )
        previous = current
        previousTime = now
        return entry
    }

    /// The entry for `current` after `previous`, `elapsedSeconds` apart (pure): per-second rates over the interval
    /// (a counter that went backwards counts from 0; 0 for a non-positive interval), everything else cumulative,
    /// and the summary line labels them so (`… over the last 10.0 s; 17 contexts, 3 dropped since start`).
    public static func entry(
        previous: EngineCounters,
        current: EngineCounters,
        elapsedSeconds: Double,
        contexts: Int,
        modelNames: [String],
        extraFields: [JournalField] = []
    ) -> StatsEntry {
        let observationRate = rate(previous.observations, current.observations, elapsedSeconds)
        let predictionRate = rate(previous.predictions, current.predictions, elapsedSeconds)
        let drops = current.drops.filter { $0.value > 0 }
        let totalDrops = current.totalDrops

        // Rates are per interval, the rest cumulative: the line says which is which.
        let seconds = elapsedSeconds.isFinite ? max(0, elapsedSeconds) : 0
        var summary = "\(fixed(observationRate, 1)) obs/s, \(fixed(predictionRate, 1)) pred/s over the last \(fixed(seconds, 1)) s; "
        summary += "\(contexts) \(contexts == 1 ? "context" : "contexts"), \(totalDrops) dropped since start"
        if !drops.isEmpty {
            let byCount = drops.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            summary += " (" + byCount.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + ")"
        }
        let message = "stats: " + summary

        // MESSAGE_ID, rates, CONTEXTS, drops and gaps, totals, INTERVAL_SEC, per-model accuracy, then the extras.
        var fields: [JournalField] = [
            JournalField("MESSAGE_ID", messageID),
            JournalField("OBSERVATIONS_PER_SEC", fixed(observationRate, 3)),
            JournalField("PREDICTIONS_PER_SEC", fixed(predictionRate, 3)),
            JournalField("CONTEXTS", String(contexts)),
            JournalField("DROPS_TOTAL", String(totalDrops)),
        ]
        for reason in current.drops.keys.sorted() {
            fields.append(JournalField("DROPS_" + reason, String(current.drops[reason]!)))
        }
        fields += [
            JournalField("SEQ_GAPS", String(current.seqGaps)),
            JournalField("OBSERVATIONS_TOTAL", String(current.observations)),
            JournalField("PREDICTIONS_TOTAL", String(current.predictions)),
            JournalField("CONTEXTS_CREATED", String(current.contextsCreated)),
            JournalField("CONTEXTS_EVICTED", String(current.contextsEvicted)),
            JournalField("INTERVAL_SEC", fixed(elapsedSeconds.isFinite ? max(0, elapsedSeconds) : 0, 3)),
        ]
        for (index, accuracy) in current.models.enumerated() {
            let name = index < modelNames.count ? modelNames[index] : String(index)
            if let mse = accuracy.meanSquaredError {
                fields.append(JournalField("MODEL_\(name)_MSE", "\(mse)"))
            }
            if let surprise = accuracy.meanSurprise {
                fields.append(JournalField("MODEL_\(name)_MEAN_SURPRISE", "\(surprise)"))
            }
        }
        fields += extraFields

        return StatsEntry(
            message: message, statusLine: summary, fields: fields,
            observationsPerSecond: observationRate, predictionsPerSecond: predictionRate
        )
    }

    /// `(current - previous) / seconds`, with `current` alone when the counter went backwards (a reset).
    static func rate(_ previous: UInt64, _ current: UInt64, _ seconds: Double) -> Double {
        guard seconds > 0, seconds.isFinite else { return 0 }
        let delta = current >= previous ? current - previous : current
        return Double(delta) / seconds
    }

    /// `value` with exactly `decimals` digits after the point, rounded half away from zero (no Foundation).
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e18 else { return "\(value)" }
        let units = UInt64(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        let whole = "\(sign)\(units / scale)"
        guard decimals > 0 else { return whole }
        let fraction = String(units % scale)
        return whole + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
