/// One problem in the configuration: the full key path and what to change.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    /// Dotted key path, e.g. `model.series.lambda`.
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}

/// Every problem found while loading a configuration (loading does not stop at the first).
public struct ConfigurationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var issues: [ConfigurationIssue]

    public init(source: String, issues: [ConfigurationIssue]) {
        self.source = source
        self.issues = issues
    }

    public var description: String {
        "configuration \(source) has \(issues.count) error(s):\n" + issues.map { "  - \($0)" }.joined(separator: "\n")
    }
}
