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

extension Array where Element == JournalField {
    /// The values of all fields named `name`, in order.
    func values(_ name: String) -> [String] { filter { $0.name == name }.map(\.value) }
    /// The value of the only field named `name`, or nil if there is none or several.
    func value(_ name: String) -> String? {
        let found = values(name)
        return found.count == 1 ? found[0] : nil
    }
}
