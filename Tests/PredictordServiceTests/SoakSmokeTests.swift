import Foundation
import PredictordTestSupport
import Testing

extension DaemonTests {
    /// `predictord-bench soak` in miniature (the real soak runs minutes, outside CI): it passes against a daemon stopped
    /// with SIGTERM and then killed -9 twice with the journal on (nothing lost), and its checker catches the state a
    /// SIGKILL loses with the journal off (the daemon's `n` falls behind the oracle).
    @Suite("soak tool")
    struct SoakSmoke {
        static func soak(_ signal: String, _ extra: [String], in directory: URL) throws -> (status: Int32, output: String) {
            let result = try Harness.runTool(
                ["soak", "--streams", "40", "--rate", "800", "--seconds", "8", "--warmup", "0.5", "--restart-signal", signal] + extra,
                executable: BuiltExecutable.predictordBench, in: directory, timeout: 90, environment: ["TMPDIR": directory.path])  // its work directory goes in ours
            return (result.status, String(decoding: result.stdout, as: UTF8.self) + result.stderr)
        }

        @Test("SIGTERM/restart and 2 kill -9 cycles (journal write) under load: every prediction equals the engine's, none lost, RSS flat; SIGKILL without the journal is caught")
        func soakPassesAndCanFail() throws {
            let directory = try Harness.temporaryDirectory("soak")
            defer { try? FileManager.default.removeItem(at: directory) }
            let good = try Self.soak("TERM", ["--kill-cycles", "2", "--journal", "write"], in: directory)
            #expect(good.status == 0, "\(good.output)")
            #expect(good.output.contains("soak: PASSED"), "\(good.output)")
            #expect(good.output.contains(" 0 lost for accepted observations, 0 different, 0 out of order"), "\(good.output)")
            #expect(good.output.contains("SIGHUP reload logged"), "\(good.output)")
            #expect(good.output.contains("soak: 2 kill -9 cycle(s)"), "\(good.output)")
            #expect(good.output.contains("after kill 2: exit status 0"), "\(good.output)")

            let bad = try Self.soak("KILL", ["--journal", "off"], in: directory)
            #expect(bad.status != 0, "a SIGKILL midway must fail the soak:\n\(bad.output)")
            let line = bad.output.split(separator: "\n").first { $0.contains("identical to the engine's") } ?? ""
            #expect(!line.contains(" 0 lost for accepted observations, 0 different"), "the checker saw nothing: \(line)")
        }
    }
}
