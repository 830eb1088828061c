import PredictorWire

/// A small JSON text builder for the endpoint's own documents (overview, stream status, SSE points): strings
/// escaped as the wire encoder escapes them, non-finite numbers as null (JSON has no NaN).
struct JSONText {
    private(set) var text = ""

    static func string(_ s: String) -> String {
        var out: [UInt8] = []
        JSONWriter.string(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        return "\(v)"
    }

    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}
