import Foundation
import Hummingbird
import Logging
import PredictordConfig
import PredictordTelemetry
import ServiceLifecycle
import Synchronization

/// The HTTP endpoint (`http.listen`) as a swift-service-lifecycle `Service`: `/metrics`, the live page `/` with
/// its server-sent events, `/api/overview` and `/streams/<id>`. It runs on SwiftNIO's event loops, never on the
/// poll thread, and reads only what the poll loop publishes in the ``TelemetryHub``.
public struct PredictordHTTPServer: Service {
    let config: HTTPConfiguration
    let hub: TelemetryHub
    let exporter: MetricsExporter
    let logger: Logger
    /// Most concurrent `/events` connections (each costs one task waking every ``eventInterval``).
    public static let maxEventStreams = 32
    static let eventInterval = Duration.milliseconds(250)

    public init(config: HTTPConfiguration, hub: TelemetryHub, version: String, logger: Logger) {
        self.config = config
        self.hub = hub
        self.exporter = MetricsExporter(version: version)
        self.logger = logger
    }

    public func run() async throws {
        guard let (host, port) = config.hostAndPort else { return }
        let stopping = StopFlag()
        let router = makeRouter(stopping: stopping)
        let logger = self.logger, listen = config.listen ?? ""
        if config.isExposed {
            logger.warning("http.listen \(listen) is reachable from other hosts\(config.token == nil ? " and http.token_file is not set: anyone who can connect reads the metrics and the watched streams' values. Set http.token_file (docs/operations.md, \"Securing predictord\"), or listen on 127.0.0.1" : "; every request must carry the token of http.token_file (plain HTTP: put TLS in front of it on untrusted networks)")")
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "predictord"),
            onServerRunning: { channel in
                logger.notice("http endpoint listening", metadata: [
                    "listen": "\(listen)", "port": "\(channel.localAddress?.port ?? port)",
                ])
            },
            logger: Logger(label: "predictord.http"))
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            // Ends open event streams, which would otherwise hold the server's graceful shutdown open.
            stopping.set()
        }
    }

    func makeRouter(stopping: StopFlag) -> Router<BasicRequestContext> {
        let router = Router()
        if let token = config.token { router.add(middleware: TokenAuthMiddleware(token: token)) }
        let hub = self.hub, exporter = self.exporter
        router.get("/metrics") { _, _ -> Response in
            let body = exporter.scrape(hub.snapshot, checkpoint: hub.checkpoint, residentBytes: ResidentMemory.bytes(),
                                       now: Date().timeIntervalSince1970)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: LivePage.html)))
        }
        router.get("/api/overview") { _, _ -> Response in
            Self.json(Documents.overview(hub.snapshot))
        }
        router.get("/streams/**") { request, _ -> Response in
            let raw = String(request.uri.path.dropFirst("/streams/".count))
            guard let stream = raw.removingPercentEncoding, !stream.isEmpty else {
                return Self.problem(.badRequest, "give a stream id: /streams/<id>, percent-encoded (e.g. /streams/series%2Fa or /streams/series/a)")
            }
            guard let status = await hub.status(of: stream) else {
                return Self.problem(.notFound, "no live stream '\(stream)' (never seen, evicted, or the daemon is stopping)")
            }
            return Self.json(Documents.status(status))
        }
        router.get("/api/streams") { request, _ -> Response in
            let prefix = request.uri.queryParameters["prefix"].map(String.init) ?? ""
            let found = await hub.streams(withPrefix: prefix, limit: 20)
            return Self.json(JSONText.object([("prefix", JSONText.string(prefix)), ("streams", JSONText.array(found.map(JSONText.string)))]))
        }
        let streams = EventStreams(hub: hub, stopping: stopping, limit: Self.maxEventStreams, interval: Self.eventInterval)
        router.get("/events") { request, _ -> Response in
            guard let stream = request.uri.queryParameters["stream"].map(String.init), !stream.isEmpty else {
                return Self.problem(.badRequest, "give the stream to watch: /events?stream=<id>")
            }
            guard let response = streams.response(for: stream) else {
                return Self.problem(.serviceUnavailable, "\(Self.maxEventStreams) live-page event streams are open already; close one")
            }
            return response
        }
        return router
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONText.object([("error", JSONText.string(message))]) + "\n")))
    }
}

/// Set once when the server begins its graceful shutdown.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
