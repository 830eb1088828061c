import Foundation
import PredictordConfig
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension DaemonTests {
    /// An open `/events` stream neither loses points nor holds the daemon's stop open.
    @Suite("EventStream")
    struct EventStream {
        @Test("a Python SSE client gets one event per observation, and SIGTERM with it open still exits 0 promptly")
        func eventsArriveAndStopIsPrompt() throws {
            if let reason = Metrics.skipReason() { print("EventStream test skipped: \(reason)"); return }
            let (daemon, directory, port) = try HTTPTestSupport.startDaemon("events")
            defer { try? FileManager.default.removeItem(at: directory) }
            let output = directory.appendingPathComponent("sse.out")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let reader = Process()
            reader.executableURL = URL(fileURLWithPath: DaemonTests.PythonClient.python!)
            reader.arguments = ["-u", "-c", """
                import json, sys, urllib.request
                with urllib.request.urlopen("http://127.0.0.1:\(port)/events?stream=series%2Fsse", timeout=30) as r:
                    for line in r:
                        line = line.decode().strip()
                        if line.startswith("data: "):
                            print(json.loads(line[6:])["y"], flush=True)
                print("EOF", flush=True)
                """]
            reader.standardOutput = try FileHandle(forWritingTo: output)
            reader.standardError = reader.standardOutput
            try reader.run()
            defer { if reader.isRunning { kill(reader.processIdentifier, SIGKILL) } }
            let text = { String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self) }
            // The watch is registered when the stream opens; give it a moment before sending.
            #expect(waitUntil(10) { (try? HTTPTestSupport.get("http://127.0.0.1:\(port)/api/overview").status) == 200 })
            usleep(500_000)
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint, predictions: daemon.config.predictionsEndpoint)
            let values = (0..<5).map { Double($0) * 0.25 + 1 }
            for (seq, y) in values.enumerated() { try client.send("series/sse", Array(#"{"seq":\#(seq),"y":\#(y)}"#.utf8)) }
            _ = try client.collect(count: 5)
            #expect(waitUntil(5) { text().split(separator: "\n").count >= 5 }, "events: \(text())")
            #expect(text().split(separator: "\n").prefix(5).compactMap { Double($0) } == values, "events: \(text())")
            let start = Date()
            let stop = daemon.stop()
            #expect(stop?.status == 0, "SIGTERM with an open event stream: \(String(describing: stop)); \(daemon.stderr.suffix(1500))")
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(waitUntil(5) { !reader.isRunning }, "the SSE client was not disconnected at stop")
            #expect(text().hasSuffix("EOF\n"), "\(text())")
        }
    }
}
