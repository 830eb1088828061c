/// Why a message produced no prediction: a stable counter key and a sentence naming the cause and the fix.
public struct EngineDrop: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case counter key, e.g. `unknown_stream`.
    public var reason: String
    /// Human-readable explanation for the journal.
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }
}
