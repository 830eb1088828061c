import Foundation
import PredictordTestSupport
import Testing

/// `systemd/install.sh` on the real built `predictord`: the shell completions (`--generate-completion-script`) and
/// the man page (swift-argument-parser's generate-manual) it generates are non-empty and valid, and the tooling
/// `predictord-bench` is not installed.
@Suite("install script: completions and man page", .timeLimit(.minutes(10)))
struct InstallGeneratedFilesTests {
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The generate-manual tool next to the test bundle (built once its plugin ran in this build directory), or
    /// nil: install.sh then builds it with the plugin in a private scratch directory.
    static var builtManualTool: URL? {
        let tool = BuiltExecutable.locate("generate-manual-tool")
        return FileManager.default.isExecutableFile(atPath: tool.path) ? tool : nil
    }

    @Test func completionsAndManPageAreGeneratedAndValid() throws {
        let dir = try SystemdUnitTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let destdir = dir.appendingPathComponent("root")
        var arguments = [SystemdUnitTests.installScript, "--no-build", "--binary", BuiltExecutable.predictord.path,
                         "--destdir", destdir.path, "--prefix", "/usr"]
        if let tool = Self.builtManualTool {
            arguments += ["--manual-tool", tool.path]
        } else {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-manual-tool-build")
            arguments += ["--scratch-path", scratch.path]
        }
        let result = try SystemdUnitTests.run("/bin/bash", arguments, in: dir)
        try #require(result.status == 0, "install.sh failed:\n\(result.stdout)\n\(result.stderr)")

        let share = destdir.appendingPathComponent("usr/share")
        func text(_ path: String) throws -> String { try String(contentsOf: share.appendingPathComponent(path), encoding: .utf8) }
        let bash = try text("bash-completion/completions/predictord")
        let zsh = try text("zsh/site-functions/_predictord")
        let fish = try text("fish/vendor_completions.d/predictord.fish")
        #expect(bash.contains("predictord") && bash.contains("replay") && bash.contains("check-config"))
        #expect(zsh.hasPrefix("#compdef predictord"), "\(zsh.prefix(200))")
        #expect(fish.contains("complete -c 'predictord'"), "\(fish.prefix(200))")
        // Each shell parses its own script when it is installed here (bash always is).
        for (shell, path) in [("bash", "bash-completion/completions/predictord"), ("zsh", "zsh/site-functions/_predictord"),
                              ("fish", "fish/vendor_completions.d/predictord.fish")] {
            guard let program = Self.which(shell) else { print("InstallGeneratedFilesTests: \(shell) not installed; not parsed"); continue }
            let parsed = try SystemdUnitTests.run(program, ["-n", share.appendingPathComponent(path).path], in: dir)
            #expect(parsed.status == 0 && parsed.stderr.isEmpty, "\(shell) -n: \(parsed.stderr)")
        }

        let manual = share.appendingPathComponent("man/man1/predictord.1")
        let page = try String(contentsOf: manual, encoding: .utf8)
        #expect(page.contains(".Dt PREDICTORD 1"), "\(page.prefix(300))")
        for command in ["run", "replay", "check-config", "inspect", "publish", "tail", "keygen"] {
            #expect(page.contains(".It Em \(command)"), "man page lacks \(command)")
        }
        if let groff = Self.which("groff") {
            // -ww: every warning; -z: no output. A well-formed mdoc page passes silently.
            let checked = try SystemdUnitTests.run(groff, ["-mdoc", "-Tutf8", "-ww", "-z", manual.path], in: dir)
            #expect(checked.status == 0 && checked.stderr.isEmpty, "groff: \(checked.stderr)")
        }
        if let man = Self.which("man") {
            let rendered = try SystemdUnitTests.run(man, ["-l", manual.path], in: dir)
            #expect(rendered.status == 0 && rendered.stdout.contains("check-config"), "man -l: \(rendered.stderr)")
        }

        // The development tooling stays out of the installation.
        let installed = FileManager.default.enumerator(atPath: destdir.path)?.allObjects as? [String] ?? []
        #expect(!installed.contains { $0.contains("predictord-bench") }, "\(installed)")
    }
}
