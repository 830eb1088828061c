import PredictorEngine
import PredictordStats
import Systemd
import Testing

@Suite("Stats: StatsReporter entries")
struct StatsReporterTests {
    static func counters(observations: UInt64, predictions: UInt64) -> EngineCounters {
        var counters = EngineCounters(modelCount: 2)
        counters.observations = observations
        counters.predictions = predictions
        return counters
    }

    /// 123456 observations and predictions in 10 s, 17 contexts, 3 drops, two models.
    static func example() -> (previous: EngineCounters, current: EngineCounters) {
        var previous = counters(observations: 1000, predictions: 2000)
        previous.drops = ["wrong_dimension": 1]
        var current = counters(observations: 1000 + 123_456, predictions: 2000 + 123_456)
        current.drops = ["wrong_dimension": 2, "unknown_stream": 1, "seq_not_increasing": 0]
        current.seqGaps = 5
        current.contextsCreated = 20
        current.contextsEvicted = 3
        current.models[0].squaredErrorSum = 1
        current.models[0].squaredErrorCount = 4
        current.models[1].surpriseSum = 3
        current.models[1].surpriseCount = 2
        return (previous, current)
    }

    @Test func messageAndStatusLineFromKnownCounters() {
        let (previous, current) = Self.example()
        let entry = StatsReporter.entry(
            previous: previous, current: current, elapsedSeconds: 10, contexts: 17, modelNames: ["ar", "hmm-sym"]
        )
        #expect(entry.message
            == "stats: 12345.6 obs/s, 12345.6 pred/s over the last 10.0 s; 17 contexts, 3 dropped since start (wrong_dimension=2 unknown_stream=1)")
        #expect(entry.statusLine == "12345.6 obs/s, 12345.6 pred/s over the last 10.0 s; 17 contexts, 3 dropped since start (wrong_dimension=2 unknown_stream=1)")
        #expect(entry.observationsPerSecond == 12345.6)
        #expect(entry.predictionsPerSecond == 12345.6)
    }

    @Test func fieldValuesFromKnownCounters() {
        let (previous, current) = Self.example()
        let entry = StatsReporter.entry(
            previous: previous, current: current, elapsedSeconds: 10, contexts: 17, modelNames: ["ar", "hmm-sym"],
            extraFields: [JournalField("checkpoint_status", "ok")]
        )
        let fields = entry.fields
        #expect(fields.first == JournalField("MESSAGE_ID", "a63f0469a10a4f369ad2c570dccd5770"))
        #expect(fields.value("MESSAGE_ID") == StatsReporter.messageID)
        #expect(fields.value("OBSERVATIONS_PER_SEC") == "12345.600")
        #expect(fields.value("PREDICTIONS_PER_SEC") == "12345.600")
        #expect(fields.value("CONTEXTS") == "17")
        #expect(fields.value("DROPS_TOTAL") == "3")
        #expect(fields.value("DROPS_WRONG_DIMENSION") == "2")
        #expect(fields.value("DROPS_UNKNOWN_STREAM") == "1")
        #expect(fields.value("DROPS_SEQ_NOT_INCREASING") == "0")
        #expect(fields.value("SEQ_GAPS") == "5")
        #expect(fields.value("OBSERVATIONS_TOTAL") == "124456")
        #expect(fields.value("PREDICTIONS_TOTAL") == "125456")
        #expect(fields.value("CONTEXTS_CREATED") == "20")
        #expect(fields.value("CONTEXTS_EVICTED") == "3")
        #expect(fields.value("INTERVAL_SEC") == "10.000")
        #expect(fields.value("MODEL_AR_MSE") == "0.25")
        #expect(fields.values("MODEL_AR_MEAN_SURPRISE").isEmpty)
        #expect(fields.value("MODEL_HMM_SYM_MEAN_SURPRISE") == "1.5")
        #expect(fields.values("MODEL_HMM_SYM_MSE").isEmpty)
        #expect(fields.last == JournalField("CHECKPOINT_STATUS", "ok"))
    }

    @Test func noDropsAndOneContext() {
        let entry = StatsReporter.entry(
            previous: Self.counters(observations: 0, predictions: 0),
            current: Self.counters(observations: 3, predictions: 1), elapsedSeconds: 4, contexts: 1, modelNames: []
        )
        #expect(entry.message == "stats: 0.8 obs/s, 0.3 pred/s over the last 4.0 s; 1 context, 0 dropped since start")
        #expect(entry.fields.value("OBSERVATIONS_PER_SEC") == "0.750")
        #expect(entry.fields.value("DROPS_TOTAL") == "0")
        // Models without a name are reported by index; models without data have no accuracy field.
        var current = Self.counters(observations: 3, predictions: 1)
        current.models[1].squaredErrorSum = 2
        current.models[1].squaredErrorCount = 1
        let unnamed = StatsReporter.entry(
            previous: current, current: current, elapsedSeconds: 1, contexts: 0, modelNames: ["only"]
        )
        #expect(unnamed.fields.value("MODEL_1_MSE") == "2.0")
        #expect(unnamed.fields.filter { $0.name.hasPrefix("MODEL_ONLY") }.isEmpty)
    }

    @Test func zeroIntervalAndCounterResetGiveSaneRates() {
        let before = Self.counters(observations: 500, predictions: 500)
        let zero = StatsReporter.entry(
            previous: before, current: before, elapsedSeconds: 0, contexts: 0, modelNames: []
        )
        #expect(zero.observationsPerSecond == 0)
        #expect(zero.fields.value("INTERVAL_SEC") == "0.000")
        // Counters below the previous snapshot (engine restarted) count from zero.
        let reset = StatsReporter.entry(
            previous: before, current: Self.counters(observations: 20, predictions: 10), elapsedSeconds: 2,
            contexts: 0, modelNames: []
        )
        #expect(reset.observationsPerSecond == 10)
        #expect(reset.predictionsPerSecond == 5)
    }

    @Test func reporterRemembersThePreviousSnapshot() {
        var reporter = StatsReporter(modelNames: ["ar", "hmm"], start: 100)
        let first = reporter.report(current: Self.counters(observations: 50, predictions: 60), now: 105, contexts: 2)
        #expect(first.observationsPerSecond == 10)
        #expect(first.predictionsPerSecond == 12)
        let second = reporter.report(current: Self.counters(observations: 80, predictions: 60), now: 115, contexts: 2)
        #expect(second.observationsPerSecond == 3)
        #expect(second.predictionsPerSecond == 0)
        #expect(reporter.previousTime == 115)
    }

    @Test func journalFieldsAndMetadataCarryTheSameEntry() {
        let (previous, current) = Self.example()
        let entry = StatsReporter.entry(
            previous: previous, current: current, elapsedSeconds: 10, contexts: 17, modelNames: ["ar", "hmm-sym"]
        )
        let full = entry.journalFields(identifier: "predictord-x")
        #expect(Array(full.prefix(4).map(\.name)) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "MESSAGE_ID"])
        #expect(full.value("PRIORITY") == "6")
        #expect(full.value("SYSLOG_IDENTIFIER") == "predictord-x")
        #expect(entry.metadata["message_id"] == .string(StatsReporter.messageID))
        #expect(entry.metadata["drops_wrong_dimension"] == "2")
        #expect(entry.metadata.count == entry.fields.count)
    }

    @Test func messageIDIs32LowerCaseHexDigits() {
        #expect(StatsReporter.messageID.count == 32)
        #expect(StatsReporter.messageID.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    @Test func statusLineIsASingleLine() {
        let (previous, current) = Self.example()
        let entry = StatsReporter.entry(
            previous: previous, current: current, elapsedSeconds: 3, contexts: 5, modelNames: []
        )
        #expect(!entry.statusLine.contains { $0.isNewline })
        #expect(entry.statusLine == "41152.0 obs/s, 41152.0 pred/s over the last 3.0 s; 5 contexts, 3 dropped since start (wrong_dimension=2 unknown_stream=1)")
    }
}
