import Foundation

/// The programs the bench tools start as children: this `predictord-bench` (for the relay) and the shipped
/// `predictord` daemon, which is looked up next to this executable (SwiftPM builds both into one directory)
/// unless `--daemon PATH` names it.
enum BenchExecutables {
    /// This executable (`/proc/self/exe`, falling back to `argv[0]`).
    static var bench: URL {
        let proc = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if FileManager.default.isExecutableFile(atPath: proc.path) { return proc }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    /// The daemon: `override` if given, else `predictord` in this executable's directory.
    static func daemon(_ override: String?) throws -> URL {
        let url = override.map { URL(fileURLWithPath: $0) }
            ?? bench.deletingLastPathComponent().appendingPathComponent("predictord")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BenchE2EError("no predictord executable at \(url.path): build it (swift build --product predictord) or pass --daemon PATH")
        }
        return url
    }
}
