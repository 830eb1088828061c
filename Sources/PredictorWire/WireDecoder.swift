import PredictorCore

/// Decodes topics and payloads of protocol v1 (JSON and binary), throwing a ``WireError`` for anything malformed.
///
/// Pure functions over borrowed bytes: safe on any input, no allocation on the binary path beyond the decoded arrays.
public enum WireDecoder {
    /// The JSON size limit of the protocol: 64 KiB.
    public static let defaultMaxJSONBytes = 65536
    /// Longest topic (stream id) in bytes.
    public static let maxTopicBytes = 255

    /// The encoding a payload announces by its first byte: `{` JSON, `0x01` binary v1.
    public static func encoding(of payload: UnsafeRawBufferPointer) throws(WireError) -> WireEncoding {
        // Subscript, not `.first`: the unspecialised getter allocates in debug builds (see AllocationTests).
        guard payload.count > 0 else {
            throw WireError(.unsupportedEncoding, "payload is empty; it must start with '{' (JSON) or 0x01 (binary v1)")
        }
        let first = payload[0]
        switch first {
        case UInt8(ascii: "{"): return .json
        case BinaryV1.version: return .binary
        default:
            throw WireError(.unsupportedEncoding, "payload must start with '{' (JSON) or 0x01 (binary v1), got 0x\(JSONReader.hex(first))")
        }
    }

    /// The stream id of a topic frame: 1–255 bytes of UTF-8 without NUL.
    public static func topic(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> String {
        try validateTopic(bytes, what: "topic")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes an inbound payload (observation, query or reset) in either encoding.
    ///
    /// JSON payloads over `maxJSONBytes` are `oversized`; binary sizes are bounded by their u16 header counts.
    public static func observation(_ payload: UnsafeRawBufferPointer,
                                   maxJSONBytes: Int = defaultMaxJSONBytes) throws(WireError) -> InboundMessage {
        var message = InboundMessage(body: .reset, encoding: .binary)
        try observation(payload, maxJSONBytes: maxJSONBytes, into: &message)
        return message
    }

    /// ``observation(_:maxJSONBytes:)`` into `message`, reusing the storage of the vectors it holds for binary v1
    /// payloads (the daemon's receive loop: no allocation per message once the vectors have grown to size).
    ///
    /// On a throw `message` is left as a `.reset` without envelope; it must not be used.
    public static func observation(_ payload: UnsafeRawBufferPointer, maxJSONBytes: Int = defaultMaxJSONBytes,
                                   into message: inout InboundMessage) throws(WireError) {
        switch try encoding(of: payload) {
        case .json:
            guard payload.count <= maxJSONBytes else {
                throw WireError(.oversized, "JSON payload is \(payload.count) bytes, over the \(maxJSONBytes)-byte limit; send a smaller message or use binary v1")
            }
            message = try jsonObservation(payload)
        case .binary:
            try binaryObservation(payload, into: &message)
        }
    }

    /// Decodes a published prediction (for `tail` and tests); `stream` is the topic it arrived on.
    ///
    /// Binary v1 carries no model name, so a binary prediction decodes with `model == ""`.
    public static func prediction(_ payload: UnsafeRawBufferPointer, stream: String) throws(WireError) -> OutboundPrediction {
        switch try encoding(of: payload) {
        case .json: try jsonPrediction(payload, stream: stream)
        case .binary: try binaryPrediction(payload, stream: stream)
        }
    }

    // MARK: Array conveniences

    /// ``encoding(of:)`` over an array.
    public static func encoding(of payload: [UInt8]) throws(WireError) -> WireEncoding {
        try payload.withUnsafeBytes { b in Result { () throws(WireError) in try encoding(of: b) } }.get()
    }

    /// ``topic(_:)`` over an array.
    public static func topic(_ bytes: [UInt8]) throws(WireError) -> String {
        try bytes.withUnsafeBytes { b in Result { () throws(WireError) in try topic(b) } }.get()
    }

    /// ``observation(_:maxJSONBytes:)`` over an array.
    public static func observation(_ payload: [UInt8], maxJSONBytes: Int = defaultMaxJSONBytes) throws(WireError) -> InboundMessage {
        try payload.withUnsafeBytes { b in
            Result { () throws(WireError) in try observation(b, maxJSONBytes: maxJSONBytes) }
        }.get()
    }

    /// ``prediction(_:stream:)`` over an array.
    public static func prediction(_ payload: [UInt8], stream: String) throws(WireError) -> OutboundPrediction {
        try payload.withUnsafeBytes { b in Result { () throws(WireError) in try prediction(b, stream: stream) } }.get()
    }

    // MARK: Shared checks

    /// Throws `bad_topic` unless `bytes` is 1–255 bytes of UTF-8 without NUL; `what` names it in the message.
    static func validateTopic(_ bytes: UnsafeRawBufferPointer, what: String) throws(WireError) {
        guard !bytes.isEmpty, bytes.count <= maxTopicBytes else {
            throw WireError(.badTopic, "\(what) is \(bytes.count) bytes; a stream id must be 1 to \(maxTopicBytes) bytes of UTF-8")
        }
        // Fast path: ASCII without NUL (the usual stream id) is valid; anything else gets the full checks below.
        var ascii = true
        for byte in bytes where byte == 0 || byte >= 0x80 { ascii = false; break }
        if ascii { return }
        if let nul = bytes.firstIndex(of: 0) {
            throw WireError(.badTopic, "\(what) contains a NUL byte at offset \(nul); stream ids must not contain NUL")
        }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return
            case .error: throw WireError(.badTopic, "\(what) is not valid UTF-8; send the stream id as UTF-8 text")
            }
        }
    }
}
