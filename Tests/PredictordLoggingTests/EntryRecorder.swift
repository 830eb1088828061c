import Synchronization
import Systemd

/// Collects the entries a `JournalLogHandler` would send, for tests (a `Mutex` makes it safe to share).
final class EntryRecorder: Sendable {
    private let storage = Mutex<[[JournalField]]>([])

    /// A sink for `JournalLogHandler(label:identifier:metadataProvider:sink:)` appending to this recorder.
    var sink: @Sendable ([JournalField]) -> Void {
        { [self] fields in storage.withLock { $0.append(fields) } }
    }

    var entries: [[JournalField]] { storage.withLock { $0 } }
}
