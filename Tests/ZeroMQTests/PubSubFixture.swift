import Testing
import ZeroMQ

/// A connected PUB → SUB pair on loopback TCP with a fresh context, past the slow-joiner window.
final class PubSubFixture {
    static let probeTopic: [UInt8] = Array("~probe".utf8)

    let context: ZMQContext
    let pub: ZMQSocket
    let sub: ZMQSocket
    let endpoint: String

    /// Binds the SUB (like predictord's observation socket) on a free port, connects the PUB, applies `configure`
    /// to both before connecting, subscribes `prefixes`, and probes until a message gets through.
    init(
        hwm: Int? = nil,
        subBinds: Bool = true,
        prefixes: [String],
        configureSub: (ZMQSocket) throws -> Void = { _ in }
    ) throws {
        context = try ZMQContext()
        pub = try ZMQSocket(context: context, type: .pub)
        sub = try ZMQSocket(context: context, type: .sub)
        if let hwm {
            try pub.setSendHighWaterMark(hwm)
            try sub.setReceiveHighWaterMark(hwm)
        }
        // Bounds every blocking receive so that a failing test cannot hang.
        try sub.setReceiveTimeout(.seconds(5))
        try configureSub(sub)
        if subBinds {
            try sub.bind("tcp://127.0.0.1:*")
            endpoint = try sub.lastEndpoint
            try pub.connect(endpoint)
        } else {
            try pub.bind("tcp://127.0.0.1:*")
            endpoint = try pub.lastEndpoint
            try sub.connect(endpoint)
        }
        for prefix in prefixes { try sub.subscribe(prefix: prefix) }
        try waitUntilConnected()
    }

    /// Sends probes until one arrives (the subscription has reached the PUB), then drops later probes locally.
    func waitUntilConnected() throws {
        try sub.subscribe(prefix: Self.probeTopic)
        try sub.setReceiveTimeout(.milliseconds(20))
        defer { try? sub.setReceiveTimeout(.seconds(5)) }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            try pub.send(topic: Self.probeTopic, payload: [])
            if let frames = try sub.receive(), frames.first == Self.probeTopic {
                // SUB filters locally too, so probes still in flight are dropped from here on.
                try sub.unsubscribe(prefix: Self.probeTopic)
                return
            }
        }
        Issue.record("PUB → SUB over \(endpoint) did not connect within 10 s")
        throw ZMQError(code: 0, operation: "connect test sockets", endpoint: endpoint)
    }
}
