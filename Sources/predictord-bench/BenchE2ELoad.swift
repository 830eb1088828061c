import Foundation
import PredictorCore
import PredictorWire
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// What the publisher of `predictord-bench e2e` sends: which payload kind, over how many streams, how fast, for how long.
struct BenchTraffic: Sendable {
    enum Payload: Sendable { case series, symbol }
    enum Pace: Sendable {
        /// As fast as possible for `seconds`, with at most `window` messages unanswered (0 = no limit).
        case saturate(seconds: Double, window: Int)
        /// `rate` messages/s for `seconds`, each stamped with its send time.
        case paced(rate: Double, seconds: Double)
        /// Exactly `count` messages, stream i on message i, at most `window` unanswered.
        case count(Int, window: Int)
    }

    var payload: Payload
    var streams: Int
    var pace: Pace
    /// Symbols sent on symbol streams, cycled (values in 0..<m).
    var symbols: [UInt32]
    /// Seconds to wait for missing replies after the last send before counting them lost.
    var drainSeconds: Double = 3
    /// A reply-less stretch this long while the window is full ends the run (messages were lost).
    var stallSeconds: Double = 3
}

/// Counters shared by the publisher and subscriber threads.
final class BenchShared: Sendable {
    /// Measured replies received so far (written by the subscriber only).
    let received = Atomic<Int>(0)
    /// Warm-up replies received.
    let warmupReceived = Atomic<Int>(0)
    /// Messages sent, final once `publisherDone` is true.
    let sent = Atomic<Int>(0)
    let publisherDone = Atomic<Bool>(false)
    /// Set by the main thread to end both loops early (child died, timeout).
    let abort = Atomic<Bool>(false)
}

struct BenchPublisherResult: Sendable {
    var sent = 0
    var start = 0.0
    var end = 0.0
    var stalled = false
    var failure: String?
    /// VmRSS/VmHWM of `watchPID` right after warm-up, before the measured traffic.
    var baseline: BenchProcStatus?
}

struct BenchSubscriberResult: Sendable {
    var received = 0
    var unexpected = 0
    var lastArrival = 0.0
    /// One-way latencies (s) from the echoed `ts`, when recorded.
    var latencies: [Double] = []
    var failure: String?
}

enum BenchLoad {
    static let warmupTopic = Array("w/0".utf8)

    /// The publisher: XPUB connected to `endpoint`; waits for the subscription, warms the path up with one stream
    /// ("w/0") until a reply comes back, then sends the measured traffic on streams "b/0000000", "b/0000001", …
    static func publish(context: ZMQContext, endpoint: String, traffic: BenchTraffic, shared: BenchShared,
                        watchPID: Int32?) -> BenchPublisherResult {
        var result = BenchPublisherResult()
        do {
            let socket = try connectedPublisher(context: context, endpoint: endpoint, shared: shared)

            let outbound = try BenchOutbound(traffic: traffic)

            // Warm-up: one message on "w/0" every 20 ms until a reply arrives.
            let warmDeadline = BenchClock.now() + 20
            while shared.warmupReceived.load(ordering: .acquiring) == 0 {
                if shared.abort.load(ordering: .relaxed) || BenchClock.now() > warmDeadline {
                    result.failure = "no reply to the warm-up messages within 20 s"
                    shared.publisherDone.store(true, ordering: .releasing)
                    return result
                }
                try outbound.sendWarmup(on: socket)
                usleep(20_000)
            }
            usleep(100_000)
            if let watchPID { result.baseline = BenchProcStatus.read(pid: watchPID) }

            var i = 0
            result.start = BenchClock.now()
            switch traffic.pace {
            case let .saturate(seconds, window):
                let end = result.start + seconds
                outer: while true {
                    if i & 255 == 0 {
                        if BenchClock.now() >= end || shared.abort.load(ordering: .relaxed) { break }
                    }
                    if window > 0, i - shared.received.load(ordering: .relaxed) >= window {
                        if !waitForWindow(i: i, window: window, shared: shared, stall: traffic.stallSeconds, until: end) {
                            result.stalled = BenchClock.now() < end
                            break outer
                        }
                    }
                    _ = try socket.send(topic: outbound.topic(stream: i % traffic.streams), payload: outbound.stamp(i))
                    i += 1
                    shared.sent.store(i, ordering: .relaxed)
                }
            case let .paced(rate, seconds):
                let total = Int(rate * seconds)
                while i < total, !shared.abort.load(ordering: .relaxed) {
                    // Catch up after an oversleep: every message is sent at (or after) its due time.
                    BenchClock.sleep(until: result.start + Double(i) / rate)
                    _ = try socket.send(topic: outbound.topic(stream: i % traffic.streams), payload: outbound.stamp(i))
                    i += 1
                    shared.sent.store(i, ordering: .relaxed)
                }
            case let .count(total, window):
                while i < total, !shared.abort.load(ordering: .relaxed) {
                    if window > 0, i - shared.received.load(ordering: .relaxed) >= window {
                        if !waitForWindow(i: i, window: window, shared: shared, stall: traffic.stallSeconds, until: .infinity) {
                            result.stalled = true
                            break
                        }
                    }
                    _ = try socket.send(topic: outbound.topic(stream: i), payload: outbound.stamp(i))
                    i += 1
                    shared.sent.store(i, ordering: .relaxed)
                }
            }
            result.end = BenchClock.now()
            result.sent = i
            shared.sent.store(i, ordering: .relaxed)
            shared.publisherDone.store(true, ordering: .releasing)
            // Keep the socket open until every reply is in (closing drops what it has not sent yet).
            let drainDeadline = BenchClock.now() + traffic.drainSeconds
            while shared.received.load(ordering: .relaxed) < i && BenchClock.now() < drainDeadline
                && !shared.abort.load(ordering: .relaxed) {
                usleep(1_000)
            }
        } catch {
            result.failure = "\(error)"
        }
        shared.publisherDone.store(true, ordering: .releasing)
        return result
    }

    /// An XPUB connected to `endpoint`, returned once the peer's subscription has arrived (sending before it would
    /// be lost: the slow joiner); throws after 20 s, or at once when `shared.abort` is set.
    static func connectedPublisher(context: ZMQContext, endpoint: String, shared: BenchShared) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, type: .xpub)
        try socket.setSendHighWaterMark(0)
        try socket.connect(endpoint)
        try socket.setReceiveTimeout(.milliseconds(200))
        let deadline = BenchClock.now() + 20
        while try socket.receive() == nil {
            if shared.abort.load(ordering: .relaxed) || BenchClock.now() > deadline {
                throw BenchE2EError("no subscription from \(endpoint) within 20 s")
            }
        }
        return socket
    }

    /// Waits until fewer than `window` messages are unanswered; false when replies stop for `stall` s or time is up.
    private static func waitForWindow(i: Int, window: Int, shared: BenchShared, stall: Double, until end: Double) -> Bool {
        var last = shared.received.load(ordering: .relaxed)
        var lastChange = BenchClock.now()
        while i - last >= window {
            usleep(50)
            let now = BenchClock.now()
            if now >= end || shared.abort.load(ordering: .relaxed) { return false }
            let r = shared.received.load(ordering: .relaxed)
            if r != last { last = r; lastChange = now } else if now - lastChange > stall { return false }
        }
        return true
    }

    /// The subscriber: SUB connected to `endpoint`, counting replies whose payload kind is in `kinds`
    /// (predictions 16/17 from the daemon; the observation kinds themselves from the relay) and, when
    /// `recordLatency`, the delay since the echoed `ts`. Stops once every sent message is answered, or
    /// `drainSeconds` after the publisher finished.
    static func subscribe(context: ZMQContext, endpoint: String, kinds: Set<UInt8>, recordLatency: Bool,
                          expected: Int, traffic: BenchTraffic, shared: BenchShared) -> BenchSubscriberResult {
        var result = BenchSubscriberResult()
        if recordLatency { result.latencies.reserveCapacity(expected + 16) }
        do {
            let socket = try ZMQSocket(context: context, type: .sub)
            try socket.setReceiveHighWaterMark(0)
            try socket.subscribe(prefix: "")
            try socket.connect(endpoint)
            try socket.setReceiveTimeout(.milliseconds(50))
            var kindTable = [Bool](repeating: false, count: 256)
            for k in kinds { kindTable[Int(k)] = true }
            var received = 0, unexpected = 0, lastArrival = 0.0
            var doneAt: Double?
            while !shared.abort.load(ordering: .relaxed) {
                let got: Void? = try socket.receiveMultipart(maxFrames: 2) { frames -> Void in
                    guard frames.count == 2 else { unexpected += 1; return }
                    let topic = frames[0], body = frames[1]
                    if topic.first == UInt8(ascii: "w") {
                        shared.warmupReceived.add(1, ordering: .releasing)
                        return
                    }
                    guard body.count >= 24, kindTable[Int(body[1])] else { unexpected += 1; return }
                    received += 1
                    shared.received.store(received, ordering: .relaxed)
                    lastArrival = BenchClock.now()
                    if recordLatency {
                        let ts = Double(bitPattern: UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
                        result.latencies.append(lastArrival - ts)
                    }
                }
                if shared.publisherDone.load(ordering: .acquiring) {
                    let sent = shared.sent.load(ordering: .relaxed)
                    if received >= sent { break }
                    if got == nil {
                        let now = BenchClock.now()
                        if doneAt == nil { doneAt = now }
                        if now - max(doneAt!, lastArrival) > traffic.drainSeconds { break }
                    }
                }
            }
            result.received = received
            result.unexpected = unexpected
            result.lastArrival = lastArrival
        } catch {
            result.failure = "\(error)"
        }
        return result
    }
}
