import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// sd_notify through a real AF_UNIX datagram socket: READY=1 only once the sockets are bound, STATUS=,
    /// WATCHDOG=1 only when WATCHDOG_USEC is set, STOPPING=1 on SIGTERM.
    @Suite("sd_notify")
    struct Notify {
        @Test("READY=1 once, after both sockets are bound; STATUS=; no WATCHDOG=1 without WATCHDOG_USEC; STOPPING=1 on SIGTERM")
        func readyStatusStopping() throws {
            let directory = try Harness.temporaryDirectory("notify")
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = TestDaemonConfig(observationsPort: try Harness.freePort(), predictionsPort: try Harness.freePort(),
                                          stateDirectory: directory.appendingPathComponent("state").path)
            let daemon = try DaemonProcess(config: config, directory: directory)
            // Watch for READY=1 closely and, the moment it is there, connect to both ports without retrying.
            var connected: (observations: Bool, predictions: Bool)?
            let sawReady = waitUntil(15) {
                guard daemon.notify.lines.contains("READY=1") else { return !daemon.process.isRunning }
                connected = (Harness.tcpConnects(port: config.observationsPort), Harness.tcpConnects(port: config.predictionsPort))
                return true
            }
            try #require(sawReady && connected != nil, "no READY=1; stderr:\n\(daemon.stderr)")
            #expect(connected?.observations == true, "observation port not accepting connections at READY=1")
            #expect(connected?.predictions == true, "prediction port not accepting connections at READY=1")
            let log = daemon.stderr
            if let bound = log.range(of: "sockets ready"), let ready = log.range(of: "predictord ready") {
                #expect(bound.lowerBound < ready.lowerBound, "'predictord ready' logged before 'sockets ready'")
            } else {
                Issue.record("missing 'sockets ready' or 'predictord ready' in stderr:\n\(log)")
            }

            let status = daemon.notify.first(within: 3) { $0.hasPrefix("STATUS=") }
            #expect(status != nil, "no STATUS= at all; notifications: \(daemon.notify.lines)")

            // Still supervised without a watchdog: nothing asks for WATCHDOG=1.
            usleep(300_000)
            #expect(daemon.notify.count("WATCHDOG=1") == 0, "WATCHDOG=1 sent without WATCHDOG_USEC")

            let before = daemon.notify.lines.count
            let stop = daemon.stop(signal: SIGTERM)
            #expect(stop?.reason == .exit && stop?.status == 0, "\(String(describing: stop)); stderr:\n\(daemon.stderr.suffix(2000))")
            // The listener thread may take up to 50 ms to record the last datagram.
            let stopping = daemon.notify.first(within: 1) { $0 == "STOPPING=1" }
            #expect(stopping != nil, "no STOPPING=1 on SIGTERM; notifications: \(daemon.notify.lines)")
            #expect(daemon.notify.lines.dropFirst(before).contains("STOPPING=1"))
            #expect(daemon.notify.count("READY=1") == 1, "READY=1 sent \(daemon.notify.count("READY=1")) times")
        }

        @Test("WATCHDOG=1 every half interval with WATCHDOG_USEC=1000000, and STATUS= with the live figures")
        func watchdogAndStatus() throws {
            let directory = try Harness.temporaryDirectory("watchdog")
            defer { try? FileManager.default.removeItem(at: directory) }
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"),
                                                 directory: directory, watchdogUSec: 1_000_000)
            let ready = try daemon.waitReady()
            // Expected every 0.5 s; allow generous slack on a busy machine, but at least 3 within 2.5 s.
            let pinged = waitUntil(2.5) { daemon.notify.count("WATCHDOG=1") >= 3 }
            #expect(pinged, "WATCHDOG=1 \(daemon.notify.count("WATCHDOG=1")) times in 2.5 s after READY=1")
            if let firstPing = daemon.notify.first(within: 0, where: { $0 == "WATCHDOG=1" }) {
                #expect(firstPing.time.timeIntervalSince(ready) < 1.0, "first WATCHDOG=1 only after \(firstPing.time.timeIntervalSince(ready)) s")
            }

            // STATUS= carries the stats summary once the first stats interval (0.5 s) has passed.
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            try client.send("series/s", Array(#"{"seq":1,"y":1.0}"#.utf8))
            try client.send("nomatch/s", Array(#"{"seq":1,"y":1.0}"#.utf8))
            #expect(try client.collect(count: 1, within: 5, settle: 0).count == 1)
            let status = daemon.notify.first(within: 3) {
                $0.hasPrefix("STATUS=") && $0.contains("obs/s") && $0.contains("2 contexts") && $0.contains("1 dropped")
            }
            #expect(status != nil, "no STATUS= with 2 contexts and 1 drop; got \(daemon.notify.lines.filter { $0.hasPrefix("STATUS=") }.suffix(3))")
            #expect(daemon.stop()?.status == 0)
        }

        @Test("STATUS= at every stats interval (not only with the 5 s watchdog) with rates, contexts, drops by reason and checkpoint health")
        func statusEveryStatsInterval() throws {
            let directory = try Harness.temporaryDirectory("status")
            defer { try? FileManager.default.removeItem(at: directory) }
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
                $0.statsIntervalSeconds = 0.25
                $0.checkpointIntervalSeconds = 0.25
            }
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            defer { client.close() }
            try client.send("series/s", Array(#"{"seq":1,"y":1.0}"#.utf8))
            try client.send("nomatch/a", Array(#"{"y":1.0}"#.utf8))
            try client.send("nomatch/b", Array(#"{"y":1.0}"#.utf8))
            try client.send("series/s", Array(#"{"seq":2,"y":"#.utf8))
            #expect(try client.collect(count: 1, within: 5, settle: 0).count == 1)
            // Without WATCHDOG_USEC the watchdog task sends STATUS= every 5 s; the stats interval alone must give
            // several within 2 s.
            let start = Date()
            let statusLines = { daemon.notify.datagrams.filter { $0.time >= start }.flatMap(\.lines).filter { $0.hasPrefix("STATUS=") && $0.contains("obs/s") } }
            let several = waitUntil(2) { statusLines().count >= 4 }
            #expect(several, "only \(statusLines().count) STATUS= lines in 2 s with stats_interval_seconds 0.25")
            let line = daemon.notify.first(within: 3) {
                $0.hasPrefix("STATUS=") && $0.contains("pred/s") && $0.contains("2 contexts")
                    && $0.contains("3 dropped since start (unknown_stream=2 malformed_json=1)") && $0.contains("; checkpoint ok at ")
            }
            #expect(line != nil, "no STATUS= with both rates, 2 contexts, drops by reason and checkpoint health; last: \(statusLines().suffix(2))")
            #expect(daemon.stop()?.status == 0)
        }
    }
}
