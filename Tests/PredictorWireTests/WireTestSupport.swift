import PredictorCore
@testable import PredictorWire
import PredictordTestSupport

/// A tiny little-endian byte writer, independent of the codec, for hand-assembling binary v1 messages in tests.
struct LEBytes {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8((v >> (8 * UInt16(i))) & 0xFF)) } }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) } }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func f64s(_ vs: [Double]) { for v in vs { f64(v) } }

    /// A binary v1 header as the protocol page lays it out.
    static func header(kind: UInt8, ny: UInt16 = 0, nx: UInt16 = 0, seq: UInt64? = nil, ts: Double? = nil,
                       flags: UInt16? = nil) -> LEBytes {
        var w = LEBytes()
        w.u8(1)
        w.u8(kind)
        w.u16(ny)
        w.u16(nx)
        w.u16(flags ?? ((seq != nil ? 1 : 0) | (ts != nil ? 2 : 0)))
        w.u64(seq ?? 0)
        w.f64(ts ?? 0)
        return w
    }
}

/// Finite doubles that stress printing and parsing: signed zeros, subnormals, extremes, random bit patterns.
func randomFiniteDouble(_ rng: inout SplitMix64) -> Double {
    let specials: [Double] = [0.0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                              Double.leastNormalMagnitude.nextDown, 1e308, -1e308,
                              .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1.0, 2.0, 0.1, 1e16, 1e-5, 21.5,
                              123456789012345680.0, 9007199254740993.0, 0.30000000000000004]
    switch rng.next() % 4 {
    case 0:
        return specials[Int(rng.next() % UInt64(specials.count))]
    case 1:  // subnormal
        return Double(bitPattern: rng.next() & 0x800F_FFFF_FFFF_FFFF)
    case 2:
        return Double(Int64(bitPattern: rng.next()) % 100_000) / 100
    default:
        while true {
            let d = Double(bitPattern: rng.next())
            if d.isFinite { return d }
        }
    }
}

func randomVector(_ rng: inout SplitMix64, count: Int) -> [Double] {
    (0..<count).map { _ in randomFiniteDouble(&rng) }
}

func bitEqual(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// Equality of inbound messages with doubles compared by bit pattern (so -0.0 ≠ 0.0).
func bitEqual(_ a: InboundMessage, _ b: InboundMessage) -> Bool {
    guard a.seq == b.seq, a.ts?.bitPattern == b.ts?.bitPattern, a.encoding == b.encoding, a.stream == b.stream else {
        return false
    }
    switch (a.body, b.body) {
    case let (.observation(.series(y1)), .observation(.series(y2))): return bitEqual(y1, y2)
    case let (.observation(.labelled(x1, y1)), .observation(.labelled(x2, y2))): return bitEqual(x1, x2) && bitEqual(y1, y2)
    case let (.query(x1), .query(x2)): return bitEqual(x1, x2)
    case let (.observation(.symbol(z1)), .observation(.symbol(z2))): return z1 == z2
    case (.reset, .reset), (.state, .state): return true
    default: return false
    }
}

/// The error decoding `payload` as an observation, or nil when it decodes.
func observationError(_ payload: [UInt8], maxJSONBytes: Int = 65536) -> WireError? {
    do {
        _ = try WireDecoder.observation(payload, maxJSONBytes: maxJSONBytes)
        return nil
    } catch {
        return error
    }
}

func observationError(_ json: String) -> WireError? { observationError(Array(json.utf8)) }

/// The error decoding `payload` as a prediction, or nil when it decodes.
func predictionError(_ payload: [UInt8], stream: String = "s") -> WireError? {
    do {
        _ = try WireDecoder.prediction(payload, stream: stream)
        return nil
    } catch {
        return error
    }
}

func json(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
