import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Writes structured entries to the systemd journal with `sd_journal_sendv`.
/// Without a journald socket the entries are silently dropped (check `isAvailable` to log elsewhere).
public enum Journal {
    /// The socket libsystemd always sends to (hard-coded in libsystemd).
    public static let socketPath = "/run/systemd/journal/socket"

    /// Whether a journald socket exists at `socketPath`.
    public static var isAvailable: Bool {
        var info = stat()
        guard stat(socketPath, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFSOCK
    }

    /// The datagram items of one entry, each `NAME=value` as UTF-8 bytes, in order (pure; for tests and tools).
    public static func encode(_ fields: [JournalField]) -> [[UInt8]] {
        fields.map { field in
            var item = Array(field.name.utf8)
            item.append(0x3D)  // "="
            item.append(contentsOf: field.value.utf8)
            return item
        }
    }

    /// Sends one entry made of `fields`; names are sanitized (see `JournalField`). Returns 0 on success or a
    /// negative errno (e.g. `-EINVAL` if no field is given); returns 0 too when no journald listens.
    @discardableResult
    public static func send(_ fields: [JournalField]) -> Int32 {
        guard !fields.isEmpty else { return -EINVAL }
        let items = encode(fields)
        var storage: [UInt8] = []
        storage.reserveCapacity(items.reduce(0) { $0 + $1.count })
        for item in items { storage.append(contentsOf: item) }
        return storage.withUnsafeMutableBytes { raw -> Int32 in
            var offset = 0
            var vectors: [iovec] = []
            vectors.reserveCapacity(items.count)
            for item in items {
                vectors.append(iovec(iov_base: raw.baseAddress.map { $0 + offset }, iov_len: item.count))
                offset += item.count
            }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }

    /// Sends one entry given as `(name, value)` pairs; names are sanitized.
    @discardableResult
    public static func send(_ fields: [(name: String, value: String)]) -> Int32 {
        send(fields.map { JournalField($0.name, $0.value) })
    }

    /// Sends `MESSAGE`, `PRIORITY`, optionally `SYSLOG_IDENTIFIER`, then `fields`.
    @discardableResult
    public static func send(
        message: String,
        priority: JournalPriority = .info,
        identifier: String? = nil,
        fields: [JournalField] = []
    ) -> Int32 {
        var all: [JournalField] = [.message(message), .priority(priority)]
        if let identifier { all.append(.identifier(identifier)) }
        all.append(contentsOf: fields)
        return send(all)
    }
}
