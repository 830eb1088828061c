import Logging
import Systemd

/// How the daemon logs: identifier, level and destination; makes the handler for each `Logger` label.
/// The executable calls `bootstrap()` once at start-up; tests and libraries use `makeLogHandler(label:)`.
public struct LoggingSetup: Sendable, Equatable {
    /// Where log entries go.
    public enum Destination: String, Sendable, Equatable, CaseIterable {
        /// The journal when its socket exists (`Journal.isAvailable`), else standard error.
        case automatic
        /// Always the journal (entries are dropped when no journald listens).
        case journal
        /// Always standard error.
        case stderr
    }

    /// The `SYSLOG_IDENTIFIER` of journal entries.
    public var identifier: String
    /// The initial level of every handler.
    public var level: Logger.Level
    public var destination: Destination
    /// Standard error as JSON lines instead of text (`logging.format: json`); the journal is structured anyway.
    public var json: Bool

    public init(identifier: String = "predictord", level: Logger.Level = .info, destination: Destination = .automatic, json: Bool = false) {
        self.identifier = identifier
        self.level = level
        self.destination = destination
        self.json = json
    }

    /// `destination` with `.automatic` decided by `journalAvailable` (pure).
    public func resolvedDestination(journalAvailable: Bool) -> Destination {
        switch destination {
        case .automatic: journalAvailable ? .journal : .stderr
        case .journal, .stderr: destination
        }
    }

    /// A handler for `label`: `JournalLogHandler` or `StderrLogHandler`, at `level`.
    public func makeLogHandler(label: String, metadataProvider: Logger.MetadataProvider? = nil) -> any LogHandler {
        switch resolvedDestination(journalAvailable: Journal.isAvailable) {
        case .journal, .automatic:
            var handler = JournalLogHandler(label: label, identifier: identifier, metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        case .stderr:
            var handler = StderrLogHandler(label: label, metadataProvider: metadataProvider, json: json)
            handler.logLevel = level
            return handler
        }
    }

    /// Installs `makeLogHandler` as the process-wide factory with `LoggingSystem.bootstrap`. Call at most once per
    /// process (swift-log traps on a second call), from the executable only.
    public func bootstrap(metadataProvider: Logger.MetadataProvider? = nil) {
        let setup = self
        LoggingSystem.bootstrap({ label, provider in setup.makeLogHandler(label: label, metadataProvider: provider) },
                                metadataProvider: metadataProvider)
    }
}
