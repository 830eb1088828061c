import Foundation
import PredictordConfig
import Testing

extension DaemonTests {
    /// The live page in a real browser: headless Chromium (Debian's `chromium`) loads `/?stream=…` from a real
    /// daemon, the script publishes a known series over ZeroMQ, and the DOM must hold every observation sent and
    /// every mean the daemon published (live_page_check.py).
    @Suite("LivePage")
    struct LivePage {
        static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

        @Test("headless Chromium draws each observation and predicted mean of a watched stream, live over server-sent events")
        func chromiumDrawsTheStream() throws {
            var reason = Metrics.skipReason()
            if reason == nil, Self.chromium == nil { reason = "chromium not installed (bash .ci/setup installs Debian's chromium)" }
            if reason == nil,
               let probe = try? DaemonTests.PythonClient.run(DaemonTests.PythonClient.python!, ["-c", "import websocket"],
                                                             in: FileManager.default.temporaryDirectory, timeout: 20),
               probe.status != 0 {
                reason = "python3 cannot import websocket (websocket-client; bash .ci/setup installs it)"
            }
            if let reason {
                if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("LivePage test cannot run in CI: \(reason)") }
                print("LivePage test skipped: \(reason)")
                return
            }
            let directory = try Harness.temporaryDirectory("live-page")
            defer { try? FileManager.default.removeItem(at: directory) }
            let httpPort = try Harness.freePort()
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory) {
                $0.http.listen = "127.0.0.1:\(httpPort)"
            }
            let result = try DaemonTests.PythonClient.run(DaemonTests.PythonClient.python!, [
                Harness.testsDirectory.appendingPathComponent("python/live_page_check.py").path,
                "--page", "http://127.0.0.1:\(httpPort)/?stream=series%2Flive", "--stream", "series/live",
                "--observations", daemon.config.observationsEndpoint, "--predictions", daemon.config.predictionsEndpoint,
                "--chromium", Self.chromium!, "--debug-port", "\(try Harness.freePort())", "--count", "60",
                "--screenshot", directory.appendingPathComponent("live.png").path,
            ], in: directory, timeout: 120)
            #expect(result.status == 0, "live_page_check.py exited \(result.status):\n\(result.output)\ndaemon stderr:\n\(daemon.stderr.suffix(2000))")
            #expect(result.output.contains("live page OK: 60 observations and 60 means drawn"))
            let shot = (try? Data(contentsOf: directory.appendingPathComponent("live.png"))) ?? Data()
            #expect(shot.starts(with: [0x89, 0x50, 0x4E, 0x47]), "no PNG screenshot was written")
            #expect(daemon.stop()?.status == 0)
        }
    }
}
