import Foundation
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The client side: an XPUB connected to the daemon's observation endpoint (sends only after the daemon's
/// subscription arrived, as `predictord publish` does) and a SUB on its prediction endpoint, synchronised past the
/// slow-joiner window with probe observations on `probe/…` (whose predictions `collect` ignores).
final class DaemonClient {
    static let probePrefix = "probe/"

    let context: ZMQContext
    let publisher: ZMQSocket
    let subscriber: ZMQSocket

    /// `configure` runs on (publisher, subscriber) before they connect, e.g. to make them CURVE clients.
    init(observations: String, predictions: String, probeStream: String = "probe/sync",
         configure: (ZMQSocket, ZMQSocket) throws -> Void = { _, _ in }) throws {
        context = try ZMQContext()
        publisher = try ZMQSocket(context: context, type: .xpub)
        subscriber = try ZMQSocket(context: context, type: .sub)
        try publisher.setSendHighWaterMark(0)
        try subscriber.setReceiveHighWaterMark(0)
        try subscriber.subscribe(prefix: "")
        try configure(publisher, subscriber)
        try subscriber.connect(predictions)
        try publisher.connect(observations)
        // XPUB delivers the daemon's subscription once its SUB is connected: from then on nothing is lost inbound.
        try publisher.setReceiveTimeout(.seconds(10))
        guard let subscription = try publisher.receive(), subscription.first?.first == 1 else {
            throw HarnessError("the daemon's SUB did not subscribe at \(observations) within 10 s")
        }
        try synchronise(probeStream: probeStream)
    }

    /// Sends probes (`{"y":1}` without seq) until a probe prediction comes back, so the SUB is subscribed too.
    func synchronise(probeStream: String) throws {
        try subscriber.setReceiveTimeout(.milliseconds(50))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            try publisher.send(topic: probeStream, payload: Array(#"{"y":1}"#.utf8))
            while let frames = try subscriber.receive() {
                if let topic = frames.first, String(decoding: topic, as: UTF8.self).hasPrefix(Self.probePrefix) { return }
            }
        }
        throw HarnessError("no probe prediction within 10 s: the prediction SUB never got past the slow-joiner window")
    }

    /// Sends `[topic][payload]`.
    func send(_ topic: String, _ payload: [UInt8]) throws {
        guard try publisher.send(topic: topic, payload: payload) else { throw HarnessError("send to \(topic) did not queue") }
    }

    /// Sends a message of any number of frames.
    func send(frames: [[UInt8]]) throws {
        guard try publisher.send(frames: frames) else { throw HarnessError("multipart send did not queue") }
    }

    /// Receives predictions (ignoring `probe/` streams) until `count` have arrived or `seconds` pass, then keeps
    /// listening `settle` seconds more so that extra predictions are noticed too.
    func collect(count: Int, within seconds: Double = 20, settle: Double = 0.3) throws -> [ReceivedPrediction] {
        var received: [ReceivedPrediction] = []
        let deadline = Date().addingTimeInterval(seconds)
        try subscriber.setReceiveTimeout(.milliseconds(50))
        var settleDeadline: Date?
        while true {
            let now = Date()
            if let settleDeadline, now >= settleDeadline { break }
            if settleDeadline == nil && now >= deadline { break }
            guard let frames = try subscriber.receive() else { continue }
            guard frames.count == 2 else {
                Issue.record("a prediction with \(frames.count) frames")
                continue
            }
            let topic = String(decoding: frames[0], as: UTF8.self)
            if topic.hasPrefix(Self.probePrefix) { continue }
            received.append(ReceivedPrediction(stream: topic, payload: frames[1]))
            if received.count >= count && settleDeadline == nil { settleDeadline = Date().addingTimeInterval(settle) }
        }
        return received
    }

    func close() {
        publisher.close()
        subscriber.close()
    }

    deinit { close() }
}
