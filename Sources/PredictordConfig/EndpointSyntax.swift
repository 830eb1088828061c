/// The syntax check `check-config` applies to ZeroMQ endpoints, so that an endpoint `run` could never bind or connect
/// (unknown transport, missing or out-of-range port) fails validation with its key instead of the start.
public enum EndpointSyntax {
    /// Transports this daemon's libzmq build serves.
    static let transports = ["tcp", "ipc", "inproc"]

    /// Why `endpoint` cannot work, or nil when its syntax is valid; `binding` allows the wildcard port `*`.
    public static func problem(_ endpoint: String, binding: Bool) -> String? {
        guard let separator = endpoint.range(of: "://") else {
            return "'\(endpoint)' is not an endpoint; write transport://address, e.g. tcp://127.0.0.1:5556"
        }
        let transport = String(endpoint[..<separator.lowerBound])
        let address = String(endpoint[separator.upperBound...])
        guard transports.contains(transport) else {
            return "unknown transport '\(transport)' in '\(endpoint)'; use tcp://, ipc:// or inproc://"
        }
        guard !address.isEmpty else { return "'\(endpoint)' has no address after \(transport)://" }
        guard transport == "tcp" else { return nil }
        // A connect endpoint may name a source address first: tcp://source;host:port.
        let target = address.split(separator: ";", omittingEmptySubsequences: false).last.map(String.init) ?? address
        guard let colon = target.lastIndex(of: ":"), !target.hasSuffix("]") else {
            return "'\(endpoint)' has no port; write tcp://host:port with a port in 1…65535"
        }
        let host = target[..<colon], port = target[target.index(after: colon)...]
        guard !host.isEmpty else { return "'\(endpoint)' has no host; write tcp://host:port (tcp://*:port binds every interface)" }
        if host.hasPrefix("[") != host.hasSuffix("]") { return "'\(endpoint)': unbalanced brackets around the IPv6 address" }
        if binding, port == "*" { return nil }
        guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else {
            return "port '\(port)' of '\(endpoint)' is not a TCP port; use 1…65535\(binding ? " (or * for any free port)" : "")"
        }
        return nil
    }
}
