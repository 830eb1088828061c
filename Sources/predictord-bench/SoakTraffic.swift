import Foundation
import PredictorCore
import PredictorWire
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The soak's deterministic observations: stream k's observation with sequence number s is always the same, so the
/// checker can regenerate whatever the daemon predicted from its topic and seq alone.
struct SoakTraffic: Sendable {
    var streams: Int
    var rate: Double

    /// `s/` + the stream number as 7 digits.
    static func topic(_ k: Int) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "s"), UInt8(ascii: "/")] + [UInt8](repeating: UInt8(ascii: "0"), count: 7)
        var v = k
        for i in stride(from: 8, through: 2, by: -1) {
            bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
        return bytes
    }

    /// The stream number of a `s/NNNNNNN` topic, or nil for any other topic.
    static func stream(ofTopic topic: [UInt8]) -> Int? {
        guard topic.count == 9, topic[0] == UInt8(ascii: "s"), topic[1] == UInt8(ascii: "/") else { return nil }
        var k = 0
        for byte in topic[2...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            k = k * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return k
    }

    /// Stream `k`'s observation number `seq`: a slow AR-like wave plus hashed noise (bounded, never NaN).
    static func message(stream k: Int, seq: UInt64) -> InboundMessage {
        var h = UInt64(k) &* 0x9E37_79B9_7F4A_7C15 ^ seq &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        let noise = Double(h >> 11) / Double(1 << 53) - 0.5
        let y = sin(0.05 * Double(seq) + Double(k % 1000)) + 0.2 * noise
        return InboundMessage(body: .observation(.series([y])), seq: seq, encoding: .binary)
    }
}

/// Counters and hand-offs between the soak's control, publisher and checker threads.
final class SoakShared: Sendable {
    /// Observations sent (publisher).
    let sent = Atomic<Int>(0)
    /// Predictions received on `s/` streams (checker).
    let received = Atomic<Int>(0)
    /// 0 run, 1 hold (daemon being restarted), 2 stop.
    let mode = Atomic<Int>(0)
    /// Raised by the control thread when the path must be proven again (start, restart): the publisher then sends
    /// probes on `w/0` until the checker has seen one come back (`probeSeen`), so nothing is sent into a half-open path.
    let probeRequest = Atomic<Int>(1)
    let probeSeen = Atomic<Int>(0)
    /// Set by the control thread to end the checker.
    let stopChecker = Atomic<Bool>(false)
    /// kill -9 cycles so far (control thread): after one, the checker lets a stream's `n` run ahead by the
    /// observations the journal kept whose predictions died with the daemon.
    let kills = Atomic<Int>(0)
}

enum SoakPublisher {
    static let probeTopic = Array("w/0".utf8)

    /// XPUB connected to `endpoint`: observations round robin over the streams at `traffic.rate`, holding while
    /// `mode` is 1 and probing after every `probeRequest`; returns a failure text or nil.
    static func run(context: ZMQContext, endpoint: String, traffic: SoakTraffic, shared: SoakShared) -> String? {
        do {
            let socket = try ZMQSocket(context: context, type: .xpub)
            try socket.setSendHighWaterMark(0)
            // No queueing while the daemon is down: a connecting socket otherwise keeps its pipe and delivers what
            // was sent meanwhile to the restarted daemon before the checker's SUB has reconnected to it, and those
            // predictions (of accepted observations) would go to no subscriber.
            try socket.setImmediate(true)
            try socket.connect(endpoint)
            try socket.setReceiveTimeout(.milliseconds(20))
            let topics = (0..<traffic.streams).map(SoakTraffic.topic)
            var payload: [UInt8] = []
            let probe = try WireEncoder.observation(InboundMessage(body: .observation(.series([1])), encoding: .binary), encoding: .binary)
            var index = 0
            var probed = 0
            var anchor = (time: BenchClock.now(), index: 0)
            while true {
                switch shared.mode.load(ordering: .acquiring) {
                case 2: return nil
                case 1:
                    usleep(10_000)
                    continue
                default: break
                }
                let request = shared.probeRequest.load(ordering: .acquiring)
                if request != probed {
                    // Probes every 20 ms (subscription messages are read and ignored) until one is answered.
                    let deadline = BenchClock.now() + 30
                    while shared.probeSeen.load(ordering: .acquiring) < request {
                        guard BenchClock.now() < deadline else { return "no probe prediction within 30 s of (re)start" }
                        _ = try socket.send(topic: probeTopic, payload: probe)
                        _ = try socket.receive()
                    }
                    probed = request
                    anchor = (BenchClock.now(), index)
                }
                BenchClock.sleep(until: anchor.time + Double(index - anchor.index) / traffic.rate)
                let k = index % traffic.streams
                try WireEncoder.observation(
                    SoakTraffic.message(stream: k, seq: UInt64(index / traffic.streams + 1)), encoding: .binary, into: &payload)
                _ = try socket.send(topic: topics[k], payload: payload)
                index += 1
                shared.sent.store(index, ordering: .releasing)
            }
        } catch {
            return "publisher: \(error)"
        }
    }
}
