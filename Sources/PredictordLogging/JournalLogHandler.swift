import Logging
import Systemd

/// A swift-log handler that sends each log call as one structured journal entry (`sd_journal_sendv`).
/// Metadata keys become upper-case fields (`stream` → `STREAM`, nested `http.status` → `HTTP_STATUS`).
public struct JournalLogHandler: LogHandler {
    /// Fields the handler sets itself; a metadata key mapping to one of them is sent as `METADATA_<NAME>` instead.
    public static let reservedFieldNames: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "LOGGER_LABEL", "ERROR",
    ]

    /// The `Logger` label, sent as `LOGGER_LABEL`.
    public let label: String
    /// The `SYSLOG_IDENTIFIER` of every entry (what `journalctl -t` filters on).
    public let identifier: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: @Sendable ([JournalField]) -> Void

    /// Creates a handler that sends to journald with `Journal.send`.
    public init(label: String, identifier: String = "predictord", metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, identifier: identifier, metadataProvider: metadataProvider) { Journal.send($0) }
    }

    /// Creates a handler that passes each entry's fields to `sink` instead of journald (for tests and tools).
    public init(
        label: String,
        identifier: String = "predictord",
        metadataProvider: Logger.MetadataProvider? = nil,
        sink: @escaping @Sendable ([JournalField]) -> Void
    ) {
        self.label = label
        self.identifier = identifier
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink(fields(for: event))
    }

    /// The fields of the entry for `event` (pure): MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE, CODE_LINE,
    /// CODE_FUNC, LOGGER_LABEL, ERROR (if any), then the merged metadata sorted by key.
    public func fields(for event: LogEvent) -> [JournalField] {
        var fields: [JournalField] = [
            .message(event.message.description),
            .priority(JournalPriority(event.level)),
            .identifier(identifier),
            JournalField("CODE_FILE", event.file),
            JournalField("CODE_LINE", String(event.line)),
            JournalField("CODE_FUNC", event.function),
            JournalField("LOGGER_LABEL", label),
        ]
        if let error = event.error { fields.append(JournalField("ERROR", String(describing: error))) }
        let merged = LogMetadata.merged(handler: metadata, provider: metadataProvider, call: event.metadata)
        for (key, value) in LogMetadata.flattened(merged, separator: "_") {
            let field = JournalField(key, value)
            if Self.reservedFieldNames.contains(field.name) {
                fields.append(JournalField("METADATA_" + field.name, value))
            } else {
                fields.append(field)
            }
        }
        return fields
    }
}
