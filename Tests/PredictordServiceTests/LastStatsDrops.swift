import Foundation

/// Parses the drop reasons of the last stderr stats line: `… stats: … N dropped since start (reason=count …)`.
func lastStatsDrops(in stderr: String) -> (total: Int, reasons: [String: Int])? {
    guard let line = stderr.split(separator: "\n").last(where: { $0.contains(" stats: ") }) else { return nil }
    guard let dropped = line.range(of: #"(\d+) dropped"#, options: .regularExpression) else { return nil }
    let total = Int(line[dropped].split(separator: " ")[0]) ?? -1
    var reasons: [String: Int] = [:]
    var rest = line[dropped.upperBound...]
    if rest.hasPrefix(" since start") { rest = rest.dropFirst(" since start".count) }
    if rest.hasPrefix(" ("), let close = rest.firstIndex(of: ")") {
        for pair in rest[rest.index(rest.startIndex, offsetBy: 2)..<close].split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { reasons[String(parts[0])] = n }
        }
    }
    return (total, reasons)
}
