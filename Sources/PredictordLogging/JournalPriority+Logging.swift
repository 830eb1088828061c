import Logging
import Systemd

extension JournalPriority {
    /// The syslog severity of a swift-log level: trace/debug → 7, info → 6, notice → 5, warning → 4,
    /// error → 3, critical → 2.
    public init(_ level: Logger.Level) {
        switch level {
        case .trace, .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        case .critical: self = .critical
        }
    }
}
