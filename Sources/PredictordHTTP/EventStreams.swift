import Hummingbird
import PredictordTelemetry
import Synchronization

/// The live page's server-sent events: one `text/event-stream` per viewer and stream, polling the hub's points of
/// that stream every `interval` and sending each new point as one event (`id:` its index, `data:` its JSON).
/// Bounded: at most `limit` streams open, and a viewer who falls behind skips to the points the hub still keeps.
final class EventStreams: Sendable {
    let hub: TelemetryHub
    let stopping: StopFlag
    let limit: Int
    let interval: Duration
    private let open = Atomic<Int>(0)

    init(hub: TelemetryHub, stopping: StopFlag, limit: Int, interval: Duration) {
        self.hub = hub
        self.stopping = stopping
        self.limit = limit
        self.interval = interval
    }

    /// The streaming response for `stream`, or nil when `limit` are open.
    func response(for stream: String) -> Response? {
        guard open.add(1, ordering: .relaxed).newValue <= limit else {
            open.subtract(1, ordering: .relaxed)
            return nil
        }
        let hub = self.hub, stopping = self.stopping, interval = self.interval, streams = self
        let body = ResponseBody { writer in
            hub.watch(stream)
            defer {
                hub.unwatch(stream)
                streams.open.subtract(1, ordering: .relaxed)
            }
            var cursor: UInt64 = 0
            var idle = 0
            try await writer.write(ByteBuffer(string: "retry: 2000\n: watching \(stream)\n\n"))
            while !stopping.isSet, !Task.isCancelled {
                let points = hub.points(of: stream, after: cursor)
                if let last = points.last {
                    cursor = last.index
                    var text = ""
                    for p in points { text += "id: \(p.index)\ndata: \(Documents.point(p))\n\n" }
                    try await writer.write(ByteBuffer(string: text))
                    idle = 0
                } else {
                    idle += 1
                    // A comment every ~15 s keeps proxies from closing an idle stream and finds gone viewers.
                    if idle % 60 == 0 { try await writer.write(ByteBuffer(string: ": idle\n\n")) }
                }
                try await Task.sleep(for: interval)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }
}
