import Foundation
import PredictorWire
import Testing

extension DaemonTests {
    /// Bad input of every kind, interleaved with good streams: each bad message is dropped and counted by reason,
    /// the good streams' predictions equal replay of the good input alone, and the daemon keeps running.
    @Suite("bad input")
    struct BadInput {
        static let good: [(String, Workload.Kind, WireEncoding)] = [
            ("series/g", .series, .json), ("pairs/g", .pairs, .binary),
            ("kernel/g", .kernel, .binary), ("weather/g", .weather, .json),
        ]

        /// A bad message: the frames to send and the reason it must be counted under.
        struct Bad {
            var frames: [[UInt8]]
            var reason: String
        }

        static func binaryHeader(kind: UInt8, ny: UInt16, nx: UInt16, flags: UInt16 = 0, seq: UInt64 = 0) -> [UInt8] {
            var bytes: [UInt8] = [1, kind]
            bytes += withUnsafeBytes(of: ny.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: nx.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: flags.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: seq.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: Double(0).bitPattern.littleEndian, Array.init)
            return bytes
        }

        static func f64(_ values: [Double]) -> [UInt8] {
            values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        }

        /// The bad messages, all aimed at the good streams (to show their contexts are untouched) except the
        /// unknown stream.
        static func badMessages(lastSeriesSeq: UInt64) -> [Bad] {
            let topic = { (s: String) in Array(s.utf8) }
            // pairs/g is binary: a labelled pair with its last 5 bytes cut off.
            let pair = binaryHeader(kind: 1, ny: 1, nx: 2) + f64([1, 0.5, 3.0])
            let truncated = Array(pair.dropLast(5))
            // Header says ny = 2, body holds one y.
            let mismatch = binaryHeader(kind: 0, ny: 2, nx: 0) + f64([1.5])
            // NaN in a binary series y.
            let nan = binaryHeader(kind: 0, ny: 1, nx: 0) + f64([.nan])
            // 200 KiB of (otherwise valid) JSON: over max_message_bytes (64 KiB), under libzmq's cap of 4× that.
            let big = Array(#"{"pad":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 200 << 10) + Array(#"","y":1}"#.utf8)
            return [
                Bad(frames: [topic("pairs/g"), truncated], reason: "malformed_binary"),
                Bad(frames: [topic("kernel/g"), mismatch], reason: "malformed_binary"),
                Bad(frames: [topic("series/g"), Array(#"{"seq":99999,"y":1.0,"#.utf8)], reason: "malformed_json"),
                Bad(frames: [topic("kernel/g"), nan], reason: "non_finite"),
                Bad(frames: [topic("pairs/g"), binaryHeader(kind: 1, ny: 1, nx: 3) + f64([1, 2, 3, 4])], reason: "wrong_dimension"),
                Bad(frames: [topic("nomatch/x"), Array(#"{"y":1.0}"#.utf8)], reason: "unknown_stream"),
                Bad(frames: [topic("series/g"), big], reason: "oversized"),
                Bad(frames: [topic("series/g"), Array(#"{"seq":\#(lastSeriesSeq),"y":5.0}"#.utf8)], reason: "seq_not_increasing"),
                Bad(frames: [topic("series/g"), Array(#"{"y":1.0}"#.utf8), Array("extra".utf8)], reason: "bad_frames"),
                // A reset must increase seq too (docs/protocol.md, "Sequence numbers").
                Bad(frames: [topic("series/g"), Array(#"{"reset":true,"seq":\#(lastSeriesSeq)}"#.utf8)], reason: "seq_not_increasing"),
            ]
        }

        @Test("each bad message is dropped and counted; good streams are unaffected; the daemon keeps serving")
        func badInputIsDroppedAndCounted() throws {
            let directory = try Harness.temporaryDirectory("bad")
            defer { try? FileManager.default.removeItem(at: directory) }
            let items = Workload.make(seed: 7, perStream: 60, streams: Self.good)
            let expected = try Oracle.replay(items, directory: directory)

            // WATCHDOG_USEC = 1 s makes the daemon send STATUS= every 0.5 s (without it: every 5 s).
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"),
                                                 directory: directory, watchdogUSec: 1_000_000)
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            // Send the good items; after the midpoint, interleave every bad message (each after a good one).
            let half = items.count / 2
            for item in items[..<half] { try client.send(item.stream, try item.payload()) }
            let lastSeriesSeq = items[..<half].last { $0.stream == "series/g" && $0.message.seq != nil }?.message.seq ?? 1
            let bad = Self.badMessages(lastSeriesSeq: lastSeriesSeq)
            var rest = items[half...].makeIterator()
            for message in bad {
                if let item = rest.next() { try client.send(item.stream, try item.payload()) }
                try client.send(frames: message.frames)
            }
            while let item = rest.next() { try client.send(item.stream, try item.payload()) }

            let received = try client.collect(count: expected.count, settle: 0.5)
            Oracle.compare(received: received, expected: expected,
                           encodings: Dictionary(uniqueKeysWithValues: Self.good.map { ($0.0, $0.2) }))
            #expect(!received.contains { $0.stream.hasPrefix("nomatch/") }, "a prediction for the unknown stream")

            // The counts by reason, from the stderr stats entry (written every 0.5 s).
            var wanted: [String: Int] = [:]
            for message in bad { wanted[message.reason, default: 0] += 1 }
            var stats: (total: Int, reasons: [String: Int])?
            waitUntil(5) {
                stats = lastStatsDrops(in: daemon.stderr)
                return stats?.total == bad.count
            }
            #expect(stats?.total == bad.count, "stats line: \(String(describing: stats))\nstderr:\n\(daemon.stderr.suffix(3000))")
            #expect(stats?.reasons == wanted)

            // STATUS= carries the total (operations.md: the same line as the stats summary, which has no reasons).
            let status = daemon.notify.first(within: 5) { $0.hasPrefix("STATUS=") && $0.contains("\(bad.count) dropped") }
            #expect(status != nil, "no STATUS= with '\(bad.count) dropped'; got: \(daemon.notify.lines.filter { $0.hasPrefix("STATUS=") }.suffix(3))")

            // Each reason is logged (rate-limited, but the first of each passes), with the stream where known.
            let dropLines = daemon.stderr.split(separator: "\n").filter { $0.contains("dropped message") }
            for reason in wanted.keys.sorted() {
                #expect(dropLines.contains { $0.contains("reason=\(reason)") }, "no drop log line for \(reason)")
            }

            // Still serving: a fresh stream gets its prediction.
            try client.send("series/after", Array(#"{"seq":1,"y":2.5}"#.utf8))
            let after = try client.collect(count: 1, within: 5, settle: 0)
            #expect(after.count == 1 && after.first?.stream == "series/after")
            #expect(daemon.process.isRunning)
            let stop = daemon.stop()
            #expect(stop?.status == 0, "stderr:\n\(daemon.stderr.suffix(3000))")
        }
    }
}
