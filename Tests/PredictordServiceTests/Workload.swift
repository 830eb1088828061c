import Foundation
import PredictorWire
import PredictordTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Builds per-stream observation sequences of every model kind and interleaves them at random (order within a
/// stream kept).
struct Workload {
    enum Kind { case series, pairs, kernel, weather, dual }

    /// One stream's generator state.
    struct Stream {
        var name: String
        var kind: Kind
        var encoding: WireEncoding
        var items: [WorkItem] = []
    }

    static func make(seed: UInt64, perStream: Int, streams: [(String, Kind, WireEncoding)]) -> [WorkItem] {
        var rng = SplitMix64(seed: seed)
        var all: [[WorkItem]] = []
        for (name, kind, encoding) in streams {
            var items: [WorkItem] = []
            var seq: UInt64 = 0
            var history: [Double] = [0, 0]
            var hidden = 0
            func add(_ body: InboundMessage.Body, seq: UInt64?, ts: Double? = nil) {
                items.append(WorkItem(stream: name, message: InboundMessage(body: body, seq: seq, ts: ts, encoding: encoding), encoding: encoding))
            }
            for t in 0..<perStream {
                seq += UInt64.random(in: 1...2, using: &rng) // occasional gaps
                let ts: Double? = t % 3 == 0 ? 1_700_000_000 + Double(t) * 0.001 + Double.random(in: 0..<1e-4, using: &rng) : nil
                if t > 0 && t % 97 == 0 {
                    // A reset: with seq (continues numbering) or without (clears it).
                    if t % 2 == 0 { add(.reset, seq: seq, ts: ts) } else { add(.reset, seq: nil); seq = 0 }
                    continue
                }
                switch kind {
                case .series, .kernel:
                    let noise = Double.random(in: -1...1, using: &rng)
                    let y = 0.6 * history[0] - 0.2 * history[1] + 0.5 + noise
                    history = [y, history[0]]
                    add(.observation(.series([y])), seq: seq, ts: ts)
                    if t % 13 == 5 {
                        let x: [Double] = kind == .series
                            ? [history[0], history[1], Double.random(in: -1...1, using: &rng), 0.25, 1]
                            : [history[0], history[1]]
                        add(.query(x: x), seq: t % 2 == 0 ? seq : nil)
                    }
                case .pairs:
                    let u = Double.random(in: -3...3, using: &rng)
                    let y = 2 + 3 * u + 0.1 * Double.random(in: -1...1, using: &rng)
                    add(.observation(.labelled(x: [1, u], y: [y])), seq: seq, ts: ts)
                    if t % 10 == 3 { add(.query(x: [1, Double.random(in: -3...3, using: &rng)]), seq: nil, ts: ts) }
                case .weather, .dual:
                    let a = [[0.9, 0.1], [0.2, 0.8]], c = [[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]
                    hidden = Double.random(in: 0..<1, using: &rng) < a[hidden][0] ? 0 : 1
                    let r = Double.random(in: 0..<1, using: &rng)
                    let z = r < c[hidden][0] ? 0 : (r < c[hidden][0] + c[hidden][1] ? 1 : 2)
                    add(.observation(.symbol(z)), seq: seq, ts: ts)
                }
            }
            all.append(items)
        }
        // Interleave: repeatedly pick a random stream that still has items.
        var cursors = [Int](repeating: 0, count: all.count)
        var out: [WorkItem] = []
        var remaining = all.map(\.count).reduce(0, +)
        out.reserveCapacity(remaining)
        while remaining > 0 {
            var i = Int.random(in: 0..<all.count, using: &rng)
            while cursors[i] >= all[i].count { i = (i + 1) % all.count }
            out.append(all[i][cursors[i]])
            cursors[i] += 1
            remaining -= 1
        }
        return out
    }
}
