/// Why a checkpoint could not be written or read: a stable kind for counters, and a message naming the file and the fix.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable classification (snake_case raw values for logs and counters).
    public enum Kind: String, Sendable, Equatable {
        /// The file does not start with the `PREDICTD` magic.
        case notACheckpoint = "not_a_checkpoint"
        /// Written by a newer predictord whose format this build cannot read.
        case newerFormat = "newer_format"
        /// Shorter (or longer) than its header says.
        case truncated
        /// The checksum does not match: bytes changed after writing.
        case corrupt
        /// Framing is intact but the payload does not decode.
        case undecodable
        /// A system call failed (permissions, disk full, missing directory, …).
        case io
    }

    public var kind: Kind
    /// The file or directory concerned, when known.
    public var path: String?
    /// What is wrong and what to do.
    public var message: String

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    /// The same error attributed to `path`.
    public func at(_ path: String) -> CheckpointError { CheckpointError(kind, message, path: path) }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
