import Foundation
import Testing

/// The command-line conventions of the shipped `predictord`, on the built binary run as a process: a runtime
/// failure (missing file, no checkpoint, no daemon) exits 1 with one plain line on stderr naming the thing, no usage
/// text and no Foundation error domain; a usage error exits 64 with usage; `--version` prints the version.
@Suite struct CommandLineConventionTests {
    /// A path that does not exist.
    static let missing = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-missing-\(UUID().uuidString)")

    /// Checks the runtime-failure convention and returns the single stderr line.
    @discardableResult
    static func expectRuntimeFailure(_ arguments: [String], mentions text: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try ReplayCommandTests.run(arguments)
        let lines = result.stderr.split(separator: "\n")
        #expect(result.status == 1, "\(arguments): exit \(result.status), stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.count == 1, "\(arguments): not one line: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Usage"), "\(arguments): usage text on a runtime error: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Error Domain"), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return String(lines.first ?? "")
    }

    @Test func missingConfigurationIsOneLine() throws {
        let config = Self.missing.appendingPathComponent("x.yaml").path
        let input = ReplayCommandTests.fixtures.appendingPathComponent("replay.jsonl").path
        let expected = "cannot read configuration \(config): no such file"
        try Self.expectRuntimeFailure(["run", "--config", config], mentions: expected)
        try Self.expectRuntimeFailure(["replay", "--config", config, input], mentions: expected)
        try Self.expectRuntimeFailure(["check-config", config], mentions: expected)
        try Self.expectRuntimeFailure(["check-config", Self.missing.deletingLastPathComponent().path], mentions: "is a directory")
    }

    @Test func missingInputIsOneLine() throws {
        let config = ReplayCommandTests.fixtures.appendingPathComponent("replay.yaml").path
        let input = Self.missing.appendingPathComponent("in.jsonl").path
        try Self.expectRuntimeFailure(["replay", "--config", config, input], mentions: "cannot read input \(input): no such file")
        try Self.expectRuntimeFailure(["publish", "--timeout", "0.2", input], mentions: "cannot read input \(input): no such file")
        let output = Self.missing.appendingPathComponent("out.jsonl").path
        try Self.expectRuntimeFailure(["replay", "--config", config, "-o", output, ReplayCommandTests.fixtures.appendingPathComponent("replay.jsonl").path],
                                      mentions: "cannot write output \(output): no such directory")
    }

    @Test func noCheckpointIsOneLine() throws {
        let line = try Self.expectRuntimeFailure(["inspect", Self.missing.path], mentions: "cannot read checkpoint \(Self.missing.path)/checkpoint.bin: no such file")
        #expect(line.contains("state.directory"), "the fix is named: \(line)")
    }

    @Test func noDaemonIsOneLine() throws {
        // Port 1 on loopback: nothing listens, so the daemon's subscription never arrives.
        let input = ReplayCommandTests.fixtures.appendingPathComponent("replay.jsonl").path
        try Self.expectRuntimeFailure(["publish", "--endpoint", "tcp://127.0.0.1:1", "--timeout", "0.3", input],
                                      mentions: "no subscriber at tcp://127.0.0.1:1 after 0.3 s: is predictord running")
    }

    @Test func usageErrorsExit64WithUsage() throws {
        for arguments in [["tail", "--no-such-option"], ["replay"], ["no-such-command"], ["keygen", "--out", "dir/"]] {
            let result = try ReplayCommandTests.run(arguments)
            #expect(result.status == 64, "\(arguments): exit \(result.status), stderr: \(result.stderr)")
            #expect(result.stderr.contains("Usage"), "\(arguments): \(result.stderr)")
        }
    }

    @Test func versionIsPrinted() throws {
        let result = try ReplayCommandTests.run(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.wholeMatch(of: /\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\n/) != nil, "\(result.stdout)")
    }

    @Test(arguments: ["", "\n", "\r\n"])
    func replayCountsTheLinesOfTheFile(ending: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-lines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("three.jsonl")
        let sep = ending.isEmpty ? "\n" : ending
        try Data((#"{"y":1}"# + sep + #"{"y":2}"# + sep + #"{"y":3}"# + ending).utf8).write(to: file)
        let config = ReplayCommandTests.fixtures.appendingPathComponent("replay.yaml").path
        let result = try ReplayCommandTests.run(["replay", "--config", config, "--stream", "ar/x", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("replayed 3 lines:"), "\(result.stderr)")
    }
}
