import Foundation

/// The package's executables as SwiftPM built them, found at run time next to the running test bundle, so test
/// targets run `predictord` and `predictord-bench` as processes without depending on the executable targets.
package enum BuiltExecutable {
    /// The shipped daemon and its commands.
    package static var predictord: URL { locate("predictord") }

    /// The development tooling (`core`, `e2e`, `relay`, `soak`).
    package static var predictordBench: URL { locate("predictord-bench") }

    /// `name` in the directory of the test process or one of its ancestors (the test bundle sits inside the build
    /// directory on Linux); the build directory's path if it is not found, so the spawn error names it.
    package static func locate(_ name: String) -> URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent(name)
    }
}
