/// Predictions held back until the batch that caused them is journaled: topics and payloads in one reused buffer.
struct PendingPredictions {
    private var bytes: [UInt8] = []
    /// Per prediction: where its topic starts in ``bytes``, the topic's length, the payload's length (it follows).
    private var entries: [(start: Int, topic: Int, payload: Int)] = []

    var count: Int { entries.count }
    /// Bytes held.
    var byteCount: Int { bytes.count }

    mutating func append(topic: UnsafeRawBufferPointer, payload: [UInt8]) {
        entries.append((bytes.count, topic.count, payload.count))
        bytes.append(contentsOf: topic)
        bytes.append(contentsOf: payload)
    }

    /// Calls `send` with each held topic and payload, in order, then empties the buffer (keeping its capacity).
    mutating func sendAll(_ send: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { p in
            for e in entries {
                send(UnsafeRawBufferPointer(rebasing: p[e.start..<(e.start + e.topic)]),
                     UnsafeRawBufferPointer(rebasing: p[(e.start + e.topic)..<(e.start + e.topic + e.payload)]))
            }
        }
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }
}
