import PredictorWire
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// A publisher's two reusable frames: the topic "b/NNNNNNN" and one binary v1 observation whose send time (`ts`)
/// and value are written in place per message, so that the timed loop allocates nothing. One thread only.
final class BenchOutbound {
    private let topic = UnsafeMutableRawBufferPointer.allocate(byteCount: 9, alignment: 8)
    private let payload: UnsafeMutableRawBufferPointer
    private let kind: BenchTraffic.Payload
    private let symbols: [UInt32]

    init(traffic: BenchTraffic) throws {
        kind = traffic.payload
        symbols = traffic.symbols
        let template: InboundMessage
        switch traffic.payload {
        case .series: template = InboundMessage(body: .observation(.series([0])), ts: 0, encoding: .binary)
        case .symbol: template = InboundMessage(body: .observation(.symbol(0)), ts: 0, encoding: .binary)
        }
        let bytes = try WireEncoder.observation(template, encoding: .binary)
        payload = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
        bytes.withUnsafeBytes { payload.copyMemory(from: $0) }
    }

    deinit {
        topic.deallocate()
        payload.deallocate()
    }

    /// The send time written by the last `stamp`.
    var stampedTime: Double {
        Double(bitPattern: UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
    }

    /// Fills the payload's ts (header bytes 16–23) with now and its value (y as f64, or z as u32, at byte 24).
    func stamp(_ i: Int) -> UnsafeRawBufferPointer {
        payload.storeBytes(of: BenchClock.now().bitPattern.littleEndian, toByteOffset: 16, as: UInt64.self)
        switch kind {
        case .series:
            // A bounded, varying series: a slow sine plus a small deterministic wobble.
            let y = sin(Double(i &* 7 % 6283) * 0.001) + Double(i % 17) * 0.01
            payload.storeBytes(of: y.bitPattern.littleEndian, toByteOffset: 24, as: UInt64.self)
        case .symbol:
            let z = symbols[i % symbols.count]
            payload.storeBytes(of: z.littleEndian, toByteOffset: 24, as: UInt32.self)
        }
        return UnsafeRawBufferPointer(payload)
    }

    /// "b/" + the stream number as 7 digits (9 bytes: a small string, like short real stream ids).
    func topic(stream s: Int) -> UnsafeRawBufferPointer {
        topic[0] = UInt8(ascii: "b")
        topic[1] = UInt8(ascii: "/")
        var v = s
        for k in stride(from: 8, through: 2, by: -1) {
            topic[k] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
        return UnsafeRawBufferPointer(topic)
    }

    /// Sends one warm-up message on "w/0" (stamped as message 0).
    func sendWarmup(on socket: ZMQSocket) throws {
        let warm = stamp(0)
        _ = try BenchLoad.warmupTopic.withUnsafeBytes { t in try socket.send(topic: t, payload: warm) }
    }
}
