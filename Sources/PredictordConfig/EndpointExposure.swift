/// Whether a ZeroMQ endpoint is reachable from other hosts: the daemon warns about exposed endpoints without CURVE.
public enum EndpointExposure {
    /// True unless `endpoint` is `ipc://`, `inproc://`, or TCP on a loopback host (`127.x.x.x`, `[::1]`,
    /// `localhost`, interface `lo`). Wildcards (`*`, `0.0.0.0`, `[::]`), other addresses and interface names count
    /// as exposed.
    public static func isExposed(_ endpoint: String) -> Bool {
        let lower = endpoint.lowercased()
        guard lower.hasPrefix("tcp://") || lower.hasPrefix("ws://") || lower.hasPrefix("wss://")
            || lower.hasPrefix("pgm://") || lower.hasPrefix("epgm://") || lower.hasPrefix("udp://") else {
            return !(lower.hasPrefix("ipc://") || lower.hasPrefix("inproc://"))
        }
        var host = Substring(lower[lower.range(of: "://")!.upperBound...])
        // tcp://source;destination (connect only): the destination is what matters.
        if let semicolon = host.lastIndex(of: ";") { host = host[host.index(after: semicolon)...] }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        if host == "localhost" || host == "lo" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return false }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }), parts[0] == "127" { return false }
        return true
    }
}

extension DaemonConfiguration {
    /// The bound endpoints other hosts can reach while their socket has no CURVE, as (config key, endpoint).
    public var exposedPlainTextEndpoints: [(key: String, endpoint: String)] {
        var out: [(key: String, endpoint: String)] = []
        if observations.curve == nil {
            out += observations.bind.filter(EndpointExposure.isExposed).map { ("sockets.observations.bind", $0) }
        }
        if predictions.curve == nil {
            out += predictions.bind.filter(EndpointExposure.isExposed).map { ("sockets.predictions.bind", $0) }
        }
        return out
    }
}
