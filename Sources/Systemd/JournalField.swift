/// One `NAME=value` field of a journal entry. The name is sanitized on creation to what journald accepts from
/// clients: 1–64 characters of `A–Z`, `0–9` and `_`, not starting with `_` (reserved for trusted fields) or a digit.
public struct JournalField: Sendable, Hashable {
    /// The sanitized field name, e.g. `MESSAGE` or `PREDICTORD_STREAM`.
    public let name: String
    /// The value; may contain newlines or any UTF-8 (sd_journal_sendv stores such values in binary form).
    public var value: String

    /// Creates a field, sanitizing `name` with `JournalField.sanitizedName(_:)`.
    public init(_ name: String, _ value: String) {
        self.name = Self.sanitizedName(name)
        self.value = value
    }

    /// Maps any string to a valid journal field name: ASCII letters are uppercased, every other character that
    /// is not `A–Z`, `0–9` or `_` becomes `_`, leading `_` are dropped, a leading digit gets the prefix `F`, the
    /// result is cut to 64 characters, and an empty result becomes `FIELD`. Valid names are returned unchanged.
    public static func sanitizedName(_ name: String) -> String {
        var bytes: [UInt8] = name.unicodeScalars.map { scalar in
            switch scalar.value {
            case 0x41...0x5A, 0x30...0x39, 0x5F: UInt8(scalar.value)  // A–Z 0–9 _
            case 0x61...0x7A: UInt8(scalar.value - 0x20)  // a–z
            default: 0x5F
            }
        }
        bytes = Array(bytes.drop { $0 == 0x5F })
        if let first = bytes.first, (0x30...0x39).contains(first) { bytes.insert(0x46, at: 0) }  // "F"
        if bytes.isEmpty { return "FIELD" }
        return String(decoding: bytes.prefix(64), as: UTF8.self)
    }

    /// `MESSAGE=…`: the human-readable line shown by `journalctl`.
    public static func message(_ text: String) -> JournalField { JournalField("MESSAGE", text) }
    /// `PRIORITY=…`: the syslog severity.
    public static func priority(_ priority: JournalPriority) -> JournalField {
        JournalField("PRIORITY", String(priority.rawValue))
    }
    /// `SYSLOG_IDENTIFIER=…`: what `journalctl -t` filters on.
    public static func identifier(_ identifier: String) -> JournalField { JournalField("SYSLOG_IDENTIFIER", identifier) }
}

/// Syslog severities for the `PRIORITY` field (0 = emergency … 7 = debug).
public enum JournalPriority: Int, Sendable, Hashable, CaseIterable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug
}

extension Array where Element == JournalField {
    /// The values of all fields named `name`, in order (journal entries may repeat a field).
    package func values(_ name: String) -> [String] { filter { $0.name == name }.map(\.value) }
    /// The value of the only field named `name`, or nil if there is none or several.
    package func value(_ name: String) -> String? {
        let found = values(name)
        return found.count == 1 ? found[0] : nil
    }
}
