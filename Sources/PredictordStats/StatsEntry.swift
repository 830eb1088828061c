import Logging
import Systemd

/// One periodic stats report: the journal entry's message and fields, and a one-line `STATUS=` text.
/// Build it with `StatsReporter`; send it with `Journal.send(journalFields(identifier:))` or a `Logger`.
public struct StatsEntry: Sendable, Equatable {
    /// `stats: 12345.6 obs/s, 12345.6 pred/s over the last 10.0 s; 17 contexts, 3 dropped since start (wrong_dimension=2 unknown_stream=1)`.
    public var message: String
    /// A single line for `sd_notify` `STATUS=`: the message without `stats: `, e.g.
    /// `12345.6 obs/s, 12345.6 pred/s over the last 10.0 s; 17 contexts, 3 dropped since start (wrong_dimension=2 unknown_stream=1)`.
    public var statusLine: String
    /// The fields besides MESSAGE, PRIORITY and SYSLOG_IDENTIFIER, starting with `MESSAGE_ID`.
    public var fields: [JournalField]
    /// Observations and predictions per second over the interval.
    public var observationsPerSecond: Double
    public var predictionsPerSecond: Double

    public init(
        message: String,
        statusLine: String,
        fields: [JournalField],
        observationsPerSecond: Double,
        predictionsPerSecond: Double
    ) {
        self.message = message
        self.statusLine = statusLine
        self.fields = fields
        self.observationsPerSecond = observationsPerSecond
        self.predictionsPerSecond = predictionsPerSecond
    }

    /// The complete entry for `Journal.send`: MESSAGE, PRIORITY=6 (info), SYSLOG_IDENTIFIER, then `fields`.
    public func journalFields(identifier: String = "predictord") -> [JournalField] {
        [.message(message), .priority(.info), .identifier(identifier)] + fields
    }

    /// `fields` as swift-log metadata with lower-case keys (`message_id`, `observations_per_sec`, …), which
    /// `JournalLogHandler` turns back into the same journal fields: `logger.info("\(entry.message)", metadata: …)`.
    public var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for field in fields { metadata[field.name.lowercased()] = .string(field.value) }
        return metadata
    }
}
