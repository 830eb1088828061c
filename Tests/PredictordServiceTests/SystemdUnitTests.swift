import Foundation
import Testing

/// The shipped systemd unit and its install script: what `systemd/install.sh` installs, that
/// `systemd-analyze verify` accepts the installed unit without a single warning, and its security exposure.
@Suite("systemd unit and install script", .serialized, .timeLimit(.minutes(2)))
struct SystemdUnitTests {
    /// The repository root (this file is Tests/PredictordServiceTests/SystemdUnitTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let installScript = root.appendingPathComponent("systemd/install.sh").path
    static let unitSource = root.appendingPathComponent("systemd/predictord.service").path

    static let systemdAnalyze: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static var hasSystemdAnalyze: Bool { systemdAnalyze != nil }

    /// Exit status, stdout and stderr of one finished command.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` with `arguments`, collecting its output through files (no pipe can fill up and block).
    static func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> Run {
        let out = directory.appendingPathComponent("run-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("run-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Run(
            status: process.terminationStatus,
            stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes an executable shell script standing in for the built daemon.
    static func fakeBinary(in dir: URL) throws -> URL {
        let fake = dir.appendingPathComponent("fake-predictord")
        try Data("#!/bin/sh\necho fake predictord\n".utf8).write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        return fake
    }

    /// Runs the install script into `destdir` with the fake binary (no man page: the fake has no argument parser to
    /// read; InstallGeneratedFilesTests generates one from the real binary).
    static func install(destdir: URL, binary: URL, prefix: String = "/usr/local", in dir: URL) throws -> Run {
        try run("/bin/bash", [installScript, "--no-build", "--binary", binary.path, "--destdir", destdir.path, "--prefix", prefix,
                              "--no-man"],
                in: dir)
    }

    /// The installed unit with ExecStart pointed at the installed copy of the binary inside `destdir`, as
    /// `<dir>/predictord.service`: `systemd-analyze verify` checks that the ExecStart executable exists, and
    /// `--root=` would also need /bin/kill and the whole target tree inside the temporary root.
    static func verifiableUnit(destdir: URL, prefix: String, in dir: URL, edit: (String) -> String = { $0 }) throws -> URL {
        let installed = destdir.appendingPathComponent("etc/systemd/system/predictord.service")
        var text = try String(contentsOf: installed, encoding: .utf8)
        let binary = destdir.path + prefix + "/bin/predictord"
        text = text.replacingOccurrences(of: "ExecStart=\(prefix)/bin/predictord ", with: "ExecStart=\(binary) ")
        let unitDir = dir.appendingPathComponent("units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: unitDir, withIntermediateDirectories: true)
        let unit = unitDir.appendingPathComponent("predictord.service")
        try Data(edit(text).utf8).write(to: unit)
        return unit
    }

    @Test func installScriptInstallsBinaryConfigAndUnit() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = try Self.fakeBinary(in: dir)
        let destdir = dir.appendingPathComponent("root")

        let first = try Self.install(destdir: destdir, binary: fake, in: dir)
        #expect(first.status == 0, "install.sh failed:\n\(first.stdout)\n\(first.stderr)")

        let bin = destdir.appendingPathComponent("usr/local/bin/predictord")
        #expect(FileManager.default.isExecutableFile(atPath: bin.path))
        #expect(try Data(contentsOf: bin) == Data(contentsOf: fake))

        let config = destdir.appendingPathComponent("etc/predictord/predictord.yaml")
        let bundled = Self.root.appendingPathComponent("Config/predictord.yaml")
        #expect(try Data(contentsOf: config) == Data(contentsOf: bundled))

        let unit = try String(contentsOf: destdir.appendingPathComponent("etc/systemd/system/predictord.service"), encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for expected in [
            "Type=notify", "NotifyAccess=main",
            "ExecStart=/usr/local/bin/predictord run --config /etc/predictord/predictord.yaml",
            "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=30", "Restart=on-failure", "RestartSec=2",
            "TimeoutStopSec=60", "DynamicUser=yes", "StateDirectory=predictord", "StateDirectoryMode=0700",
            "ConfigurationDirectory=predictord", "ProtectSystem=strict", "MemoryDenyWriteExecute=yes",
            "SystemCallFilter=@system-service", "SystemCallFilter=~@privileged @resources",
            "SystemCallFilter=sched_setscheduler", "SystemCallErrorNumber=EPERM", "CapabilityBoundingSet=",
            "UMask=0077", "LimitNOFILE=65536", "WantedBy=multi-user.target",
        ] {
            #expect(lines.contains(expected), "installed unit lacks '\(expected)'")
        }
        for next in ["systemctl daemon-reload", "systemctl enable --now predictord", "journalctl -u predictord -f"] {
            #expect(first.stdout.contains(next), "install.sh does not print '\(next)'")
        }

        // Idempotent, and an existing configuration is kept.
        try Data("# edited by the operator\n".utf8).write(to: config)
        let second = try Self.install(destdir: destdir, binary: fake, in: dir)
        #expect(second.status == 0, "second install.sh run failed:\n\(second.stderr)")
        #expect(try String(contentsOf: config, encoding: .utf8) == "# edited by the operator\n")
        #expect(second.stdout.contains("kept existing"))
        #expect(try String(contentsOf: destdir.appendingPathComponent("etc/systemd/system/predictord.service"), encoding: .utf8) == unit)
        #expect(FileManager.default.isExecutableFile(atPath: bin.path))
    }

    @Test func prefixRewritesExecStart() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let destdir = dir.appendingPathComponent("root")
        let result = try Self.install(destdir: destdir, binary: try Self.fakeBinary(in: dir), prefix: "/opt/predictord", in: dir)
        #expect(result.status == 0, "install.sh failed:\n\(result.stderr)")
        #expect(FileManager.default.isExecutableFile(atPath: destdir.path + "/opt/predictord/bin/predictord"))
        let unit = try String(contentsOf: destdir.appendingPathComponent("etc/systemd/system/predictord.service"), encoding: .utf8)
        #expect(unit.contains("\nExecStart=/opt/predictord/bin/predictord run --config /etc/predictord/predictord.yaml\n"))
        #expect(!unit.contains("/usr/local/"))
    }

    @Test func installScriptRejectsBadArguments() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unknown = try Self.run("/bin/bash", [Self.installScript, "--frobnicate"], in: dir)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown option"))
        let missing = try Self.run(
            "/bin/bash", [Self.installScript, "--no-build", "--binary", dir.path + "/absent", "--destdir", dir.path + "/root"], in: dir)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no executable"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/root/etc/systemd/system/predictord.service"))
    }

    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed (apt-get install systemd)"))
    func installedUnitVerifiesWithoutAnyMessage() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let destdir = dir.appendingPathComponent("root")
        let installed = try Self.install(destdir: destdir, binary: try Self.fakeBinary(in: dir), in: dir)
        try #require(installed.status == 0, "install.sh failed:\n\(installed.stderr)")
        let unit = try Self.verifiableUnit(destdir: destdir, prefix: "/usr/local", in: dir)
        let verify = try Self.run(Self.systemdAnalyze!, ["verify", unit.path], in: dir)
        // verify exits 0 even for unknown directives and unparsable values; it only says so on stderr.
        #expect(verify.stderr.isEmpty, "systemd-analyze verify complained:\n\(verify.stderr)")
        #expect(verify.status == 0)
    }

    /// A unit line replaced by a broken one, and what `systemd-analyze verify` must say about it.
    struct Breakage: Sendable, CustomTestStringConvertible {
        var good: String
        var bad: String
        var expected: String
        var testDescription: String { bad }
    }

    /// Negative controls: the stderr check above can fail, for a misspelt directive and for a bad value.
    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed (apt-get install systemd)"),
          arguments: [
              Breakage(good: "ProtectClock=yes", bad: "ProtectClok=yes", expected: "Unknown key"),
              Breakage(good: "WatchdogSec=30", bad: "WatchdogSec=thirty", expected: "Failed to parse"),
          ])
    func verifyReportsABrokenUnit(_ breakage: Breakage) throws {
        let (good, bad, expected) = (breakage.good, breakage.bad, breakage.expected)
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let destdir = dir.appendingPathComponent("root")
        let installed = try Self.install(destdir: destdir, binary: try Self.fakeBinary(in: dir), in: dir)
        try #require(installed.status == 0, "install.sh failed:\n\(installed.stderr)")
        let unit = try Self.verifiableUnit(destdir: destdir, prefix: "/usr/local", in: dir) { text in
            #expect(text.contains("\n\(good)\n"))
            return text.replacingOccurrences(of: "\n\(good)\n", with: "\n\(bad)\n")
        }
        let verify = try Self.run(Self.systemdAnalyze!, ["verify", unit.path], in: dir)
        #expect(!verify.stderr.isEmpty, "systemd-analyze verify accepted '\(bad)' silently")
        #expect(verify.stderr.contains(expected), "unexpected message:\n\(verify.stderr)")
    }

    /// `systemd-analyze security --offline=yes` (systemd ≥ 252) on the shipped unit: the exposure stays low.
    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed (apt-get install systemd)"))
    func securityExposureIsLow() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unitDir = dir.appendingPathComponent("units")
        try FileManager.default.createDirectory(at: unitDir, withIntermediateDirectories: true)
        let unit = unitDir.appendingPathComponent("predictord.service")
        try FileManager.default.copyItem(atPath: Self.unitSource, toPath: unit.path)
        let security = try Self.run(Self.systemdAnalyze!, ["security", "--offline=yes", "--no-pager", unit.path], in: dir)
        guard security.status == 0, let line = security.stdout.split(separator: "\n").first(where: { $0.contains("Overall exposure level") }) else {
            print("skipping the exposure check: systemd-analyze security --offline=yes is not usable here: \(security.stderr)")
            return
        }
        // "→ Overall exposure level for predictord.service: 1.4 OK 🙂"
        let afterColon = line.split(separator: ":").last.map(String.init) ?? ""
        let score = afterColon.split(separator: " ").first.flatMap { Double($0) }
        let exposure = try #require(score, "cannot read the score from '\(line)'")
        print("systemd-analyze security: \(line.trimmingCharacters(in: .whitespaces))")
        #expect(exposure <= 2.0, "exposure \(exposure) is above 2.0; a hardening directive was lost:\n\(security.stdout)")
    }
}
