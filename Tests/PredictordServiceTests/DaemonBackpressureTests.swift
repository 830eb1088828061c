import Foundation
import PredictordConfig
import PredictorWire
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// A subscriber that stops reading: the poll loop goes on absorbing observations, and with
    /// `slow_subscriber: count` every prediction is either delivered or counted as `publish_hwm`; with `isolate`
    /// the reading subscriber gets everything and nothing is counted.
    @Suite("backpressure")
    struct Backpressure {
        /// A SUB on the prediction endpoint that reads until it has seen one probe prediction (so it is
        /// subscribed), then never again; tiny RCVHWM and kernel buffer so the daemon's queue to it fills fast.
        static func stuckSubscriber(_ context: ZMQContext, _ client: DaemonClient, endpoint: String) throws -> ZMQSocket {
            let stuck = try ZMQSocket(context: context, type: .sub)
            try stuck.setReceiveHighWaterMark(1)
            try stuck.setReceiveBufferSize(1024)
            try stuck.subscribe(prefix: "")
            try stuck.connect(endpoint)
            try stuck.setReceiveTimeout(.milliseconds(50))
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                try client.send(DaemonClient.probePrefix + "stuck", Array(#"{"y":1}"#.utf8))
                while let frames = try stuck.receive() {
                    if let topic = frames.first, String(decoding: topic, as: UTF8.self).hasPrefix(DaemonClient.probePrefix) { return stuck }
                }
            }
            throw HarnessError("the stuck subscriber never received a probe prediction")
        }

        /// Sends `items` at most 50 per 2 ms.
        static func send(_ items: ArraySlice<WorkItem>, _ client: DaemonClient) throws {
            for (index, item) in items.enumerated() {
                try client.send(item.stream, try item.payload())
                if index % 50 == 49 { usleep(2000) }
            }
        }

        @Test("a subscriber that stops reading: predictions delivered or counted as publish_hwm, observations all absorbed",
              arguments: ["count", "isolate"])
        func stuckSubscriber(policy: String) throws {
            let directory = try Harness.temporaryDirectory("backpressure")
            defer { try? FileManager.default.removeItem(at: directory) }
            let streams: [(String, Workload.Kind, WireEncoding)] = [("series/b", .series, .json), ("pairs/b", .pairs, .binary)]
            let items = Workload.make(seed: 5, perStream: 15000, streams: streams)
            let expected = try Oracle.replay(items, directory: directory)
            let burst = items.count - 400
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
                $0.sendHighWaterMark = 1000
                $0.slowSubscriber = try! #require(DaemonConfiguration.SlowSubscriberPolicy(rawValue: policy))
                $0.statsIntervalSeconds = 0.2
            }
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            defer { client.close() }
            let context = try ZMQContext()
            var stuck: ZMQSocket? = try Self.stuckSubscriber(context, client, endpoint: daemon.config.predictionsEndpoint)

            // The burst, while one subscriber reads nothing (its queue fills after send_hwm plus ~1.5 MB of TCP
            // buffers, ~10k predictions); paced (≤ 25k/s) so the reading subscriber keeps up with send_hwm 1000.
            try Self.send(items[..<burst], client)
            let during = try client.collect(count: burst, within: 20, settle: 1)
            var drops = 0
            let accounted = waitUntil(5) {
                drops = lastStatsDrops(in: daemon.stderr)?.reasons["publish_hwm"] ?? 0
                return during.count + drops == burst
            }
            switch policy {
            case "count":
                #expect(drops > 0, "no publish_hwm drops with send_hwm 1000 and a subscriber that reads nothing")
                #expect(during.count < burst)
                #expect(accounted, "\(during.count) delivered + \(drops) publish_hwm != \(burst) sent")
            default:
                #expect(during.count == burst, "isolate: the reading subscriber got \(during.count) of \(burst)")
                #expect(drops == 0, "isolate counts nothing, got publish_hwm=\(drops)")
            }
            // Everything delivered during the burst is exactly replay's prediction for that item.
            var next: [String: Int] = [:]
            let byStream = Dictionary(grouping: expected, by: \.stream)
            var mismatches = 0
            for got in during {
                // Predictions of one stream arrive in order; skip the dropped ones by matching forward.
                let want = byStream[got.stream] ?? []
                var i = next[got.stream, default: 0]
                while i < want.count, Oracle.difference(got, want[i]) != nil { i += 1 }
                if i == want.count { mismatches += 1 } else { next[got.stream] = i + 1 }
            }
            #expect(mismatches == 0, "\(mismatches) delivered predictions match no replay prediction in order")

            // The stuck subscriber goes away; the rest comes through in full and equal to replay's, which proves
            // every observation of the burst was absorbed into fast memory although its prediction was dropped.
            stuck?.close()
            stuck = nil
            // Probes until one comes back: the daemon has dropped the closed subscriber's queue.
            try client.synchronise(probeStream: DaemonClient.probePrefix + "after")
            try Self.send(items[burst...], client)
            let after = try client.collect(count: items.count - burst, within: 20, settle: 0.3)
            #expect(after.count == items.count - burst)
            let tail = Array(expected[burst...])
            for stream in Set(tail.map(\.stream)) {
                let got = after.filter { $0.stream == stream }, want = tail.filter { $0.stream == stream }
                #expect(got.count == want.count, "\(stream): \(got.count) vs \(want.count)")
                for (g, w) in zip(got, want) {
                    if let problem = Oracle.difference(g, w) { Issue.record("\(stream) after the stall: \(problem)"); break }
                }
            }
            #expect(daemon.stop()?.status == 0)
        }
    }
}
