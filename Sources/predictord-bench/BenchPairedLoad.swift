import Foundation
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The traffic of `e2e --modes latency --paired`: one publisher sends every paced observation to the daemon and,
/// half a period later, the same observation to the relay; one subscriber hears both. Each message thus gives one
/// daemon latency and one relay latency measured a fraction of a millisecond apart, and their difference cancels
/// what the machine did in between (drift, other load). The order is fixed so that each side sees evenly spaced
/// messages with the other side idle: alternating it gave each side gaps of ½ and 1½ periods in turn, and a
/// message's wake-up latency depends on the idle gap before it (up to ±40 µs between the two kinds of message).
enum BenchPairedLoad {
    struct Sent: Sendable {
        /// Send times (the stamped `ts`) of message i to the daemon and to the relay.
        var daemon: [Double] = []
        var relay: [Double] = []
        var failure: String?
    }

    struct Heard: Sendable {
        /// (echoed ts, arrival) of every reply, per side.
        var daemon: [(ts: Double, arrival: Double)] = []
        var relay: [(ts: Double, arrival: Double)] = []
        var unexpected = 0
        var failure: String?
    }

    /// Sends `rate × seconds` messages, stream i % `traffic.streams` on message i, after both sides answered a
    /// warm-up message. `daemon`/`relay` count the replies of each side (the subscriber writes them).
    static func publish(context: ZMQContext, daemonEndpoint: String, relayEndpoint: String, traffic: BenchTraffic,
                        rate: Double, seconds: Double, daemon: BenchShared, relay: BenchShared) -> Sent {
        var sent = Sent()
        defer {
            daemon.publisherDone.store(true, ordering: .releasing)
            relay.publisherDone.store(true, ordering: .releasing)
        }
        do {
            let toDaemon = try BenchLoad.connectedPublisher(context: context, endpoint: daemonEndpoint, shared: daemon)
            let toRelay = try BenchLoad.connectedPublisher(context: context, endpoint: relayEndpoint, shared: relay)
            let outbound = try BenchOutbound(traffic: traffic)
            let warmDeadline = BenchClock.now() + 20
            while daemon.warmupReceived.load(ordering: .acquiring) == 0 || relay.warmupReceived.load(ordering: .acquiring) == 0 {
                if daemon.abort.load(ordering: .relaxed) || BenchClock.now() > warmDeadline {
                    throw BenchE2EError("no reply to the warm-up messages from both sides within 20 s")
                }
                try outbound.sendWarmup(on: toDaemon)
                try outbound.sendWarmup(on: toRelay)
                usleep(20_000)
            }
            usleep(100_000)
            let total = Int(rate * seconds)
            sent.daemon.reserveCapacity(total)
            sent.relay.reserveCapacity(total)
            let start = BenchClock.now()
            for i in 0..<total where !daemon.abort.load(ordering: .relaxed) {
                for half in 0..<2 {
                    let toTheDaemon = half == 0
                    BenchClock.sleep(until: start + (Double(i) + 0.5 * Double(half)) / rate)
                    let payload = outbound.stamp(i)
                    _ = try (toTheDaemon ? toDaemon : toRelay).send(topic: outbound.topic(stream: i % traffic.streams), payload: payload)
                    if toTheDaemon { sent.daemon.append(outbound.stampedTime) } else { sent.relay.append(outbound.stampedTime) }
                }
                daemon.sent.store(sent.daemon.count, ordering: .relaxed)
                relay.sent.store(sent.relay.count, ordering: .relaxed)
            }
            // Keep the sockets open until every reply is in (closing drops what they have not sent yet).
            let drainDeadline = BenchClock.now() + traffic.drainSeconds
            while (daemon.received.load(ordering: .relaxed) < sent.daemon.count || relay.received.load(ordering: .relaxed) < sent.relay.count)
                && BenchClock.now() < drainDeadline && !daemon.abort.load(ordering: .relaxed) {
                usleep(1_000)
            }
        } catch {
            sent.failure = "\(error)"
        }
        return sent
    }

    /// One SUB connected to both outputs: a reply of kind 16/17 (a prediction) is the daemon's, an observation kind
    /// (0–3, echoed unchanged) the relay's. Stops when both sides answered everything sent, or `drainSeconds` after
    /// the publisher finished.
    static func subscribe(context: ZMQContext, daemonEndpoint: String, relayEndpoint: String, traffic: BenchTraffic,
                          daemon: BenchShared, relay: BenchShared) -> Heard {
        var heard = Heard()
        do {
            let socket = try ZMQSocket(context: context, type: .sub)
            try socket.setReceiveHighWaterMark(0)
            try socket.subscribe(prefix: "")
            try socket.connect(daemonEndpoint)
            try socket.connect(relayEndpoint)
            try socket.setReceiveTimeout(.milliseconds(50))
            var doneAt: Double?, lastArrival = 0.0
            while !daemon.abort.load(ordering: .relaxed) {
                let got: Void? = try socket.receiveMultipart(maxFrames: 2) { frames -> Void in
                    let arrival = BenchClock.now()
                    guard frames.count == 2, frames[1].count >= 24 else { heard.unexpected += 1; return }
                    let body = frames[1]
                    let side: BenchShared
                    switch body[1] {
                    case 16, 17: side = daemon
                    case 0...3: side = relay
                    default: heard.unexpected += 1; return
                    }
                    if frames[0].first == UInt8(ascii: "w") {
                        side.warmupReceived.add(1, ordering: .releasing)
                        return
                    }
                    let ts = Double(bitPattern: UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
                    if side === daemon { heard.daemon.append((ts, arrival)) } else { heard.relay.append((ts, arrival)) }
                    side.received.store(side === daemon ? heard.daemon.count : heard.relay.count, ordering: .relaxed)
                    lastArrival = arrival
                }
                guard daemon.publisherDone.load(ordering: .acquiring) else { continue }
                if heard.daemon.count >= daemon.sent.load(ordering: .relaxed), heard.relay.count >= relay.sent.load(ordering: .relaxed) { break }
                if got == nil {
                    let now = BenchClock.now()
                    if doneAt == nil { doneAt = now }
                    if now - max(doneAt!, lastArrival) > traffic.drainSeconds { break }
                }
            }
        } catch {
            heard.failure = "\(error)"
        }
        return heard
    }
}
