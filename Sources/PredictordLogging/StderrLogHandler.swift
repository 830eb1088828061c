import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler writing one line per call to standard error, for runs outside systemd:
/// `<UTC timestamp> <level> <label>: <message> key=value …`.
public struct StderrLogHandler: LogHandler {
    /// The `Logger` label, printed after the level.
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// `logging.format`: plain text lines, or one JSON object per line (``jsonLine(for:timestamp:)``).
    public var json = false

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, json: Bool = false) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.json = json
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let timestamp = Self.timestamp()
        var bytes = Array((json ? jsonLine(for: event, timestamp: timestamp) : line(for: event, timestamp: timestamp)).utf8)
        bytes.append(0x0A)
        Self.writeToStandardError(bytes)
    }

    /// The line for `event` without the trailing newline (pure). Newlines in the message are shown as `\n`;
    /// metadata is merged like `JournalLogHandler`, nested keys joined with `.`, values quoted when needed.
    public func line(for event: LogEvent, timestamp: String) -> String {
        var line = "\(timestamp) \(event.level) \(label): \(Self.escaped(event.message.description))"
        let merged = LogMetadata.merged(handler: metadata, provider: metadataProvider, call: event.metadata)
        for (key, value) in LogMetadata.flattened(merged, separator: ".") {
            line += " \(key)=\(Self.quotedIfNeeded(value))"
        }
        if let error = event.error {
            line += " error=\(Self.quotedIfNeeded(String(describing: error)))"
        }
        return line
    }

    /// The current UTC time as `2026-11-23T19:40:00.123Z`.
    public static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let year = padded(Int(parts.tm_year) + 1900, 4)
        let date = "\(year)-\(padded(Int(parts.tm_mon) + 1, 2))-\(padded(Int(parts.tm_mday), 2))"
        let time = "\(padded(Int(parts.tm_hour), 2)):\(padded(Int(parts.tm_min), 2)):\(padded(Int(parts.tm_sec), 2))"
        return "\(date)T\(time).\(padded(Int(now.tv_nsec) / 1_000_000, 3))Z"
    }

    /// `text` with newlines, carriage returns and tabs escaped (one line); with `quotes`, also `\` and `"`.
    static func escaped(_ text: String, quotes: Bool = false) -> String {
        guard text.contains(where: { $0.isNewline || $0 == "\t" || (quotes && ($0 == "\\" || $0 == "\"")) }) else {
            return text
        }
        var result = ""
        for character in text {
            switch character {
            case "\\" where quotes: result += "\\\\"
            case "\"" where quotes: result += "\\\""
            case "\n", "\r\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let other where other.isNewline: result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// `value` in double quotes (with `"` and `\` escaped) when it is empty or has spaces, quotes, `=` or newlines.
    static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { character in
            character == " " || character == "\"" || character == "=" || character == "\\" || character == "\t"
                || character.isNewline
        }
        guard needsQuotes else { return value }
        return "\"" + escaped(value, quotes: true) + "\""
    }

    /// Writes `bytes` to file descriptor 2 with as few `write(2)` calls as possible (one for short lines, so
    /// lines from concurrent loggers do not interleave).
    private static func writeToStandardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(2, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
