import Logging
import PredictorWire

extension StderrLogHandler {
    /// The JSON line for `event` (`logging.format: json`), without the trailing newline (pure):
    /// `{"time":…,"level":…,"label":…,"message":…,<metadata keys, nested ones joined with ".">,"error":…}`;
    /// a metadata key named like one of the fixed fields is prefixed with `metadata.`.
    public func jsonLine(for event: LogEvent, timestamp: String) -> String {
        var out: [UInt8] = []
        func field(_ key: String, _ value: String, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            JSONWriter.string(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.string(value, to: &out)
        }
        out.append(UInt8(ascii: "{"))
        field("time", timestamp, first: true)
        field("level", "\(event.level)")
        field("label", label)
        field("message", event.message.description)
        let fixed: Set<String> = ["time", "level", "label", "message", "error"]
        let merged = LogMetadata.merged(handler: metadata, provider: metadataProvider, call: event.metadata)
        for (key, value) in LogMetadata.flattened(merged, separator: ".") {
            field(fixed.contains(key) ? "metadata." + key : key, value)
        }
        if let error = event.error { field("error", String(describing: error)) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
