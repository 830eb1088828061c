/// A started `e2e` child: the daemon or the relay, the endpoints it bound, the payload kinds of its replies and,
/// for a daemon with `http.listen`, the scraper of its `/metrics`.
struct BenchStartedChild {
    var child: BenchChildProcess
    var name: String
    /// Where publishers connect.
    var input: String
    /// Where subscribers connect.
    var output: String
    var kinds: Set<UInt8>
    var scraper: BenchScraper?

    /// A relay run with `--time-messages`: its median receive-to-send time (s), from the line it logs on stop.
    var relaySpan: Double? {
        guard let line = child.log.split(separator: "\n").first(where: { $0.hasPrefix(RelayCommand.timingPrefix) }) else { return nil }
        return line.dropFirst(RelayCommand.timingPrefix.count).split(separator: " ").first.flatMap { Double($0) }.map { $0 / 1e9 }
    }
}
