#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The optional HTTP endpoint (`http.*`): where it listens, the token that guards it, and the half-life of the
/// windowed prediction quality it reports. Off (no `listen`) by default.
public struct HTTPConfiguration: Sendable, Equatable {
    /// `host:port`, e.g. `127.0.0.1:9464`; nil = no HTTP endpoint.
    public var listen: String?
    /// `http.token_file`: when set, every request must carry the file's token (`Authorization: Bearer …`, or as
    /// the password of basic auth, any user name).
    public var tokenFile: String?
    /// The token read from `tokenFile` (never printed).
    public var token: String?
    /// Half-life, in scored observations per model, of `predictord_model_mse`, `_log_loss` and `_interval_coverage`.
    public var qualityHalfLife: Double = 1000
    /// `http.latency_sample_every`: one message in this many is timed for `predictord_latency_seconds` (1 = all).
    public var latencySampleEvery: Int = 16

    public init() {}

    /// `listen` split into host and port (validated by the loader).
    public var hostAndPort: (host: String, port: Int)? {
        guard let listen else { return nil }
        return Self.split(listen)
    }

    /// Whether `listen` is reachable from other hosts (not 127.x, ::1 or localhost).
    public var isExposed: Bool {
        guard let listen else { return false }
        return EndpointExposure.isExposed("tcp://" + listen)
    }

    static func split(_ listen: String) -> (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":") else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    /// Reads the `http` section; problems are reported with their key.
    static func read(_ keys: inout KeyReader) -> HTTPConfiguration {
        var h = HTTPConfiguration()
        let listen = keys.string("http.listen", default: "")
        if !listen.isEmpty {
            if split(listen) == nil {
                keys.fail("http.listen", "'\(listen)' is not host:port; write e.g. \"127.0.0.1:9464\" (port 0 picks a free one), or leave it empty to turn HTTP off")
            }
            h.listen = listen
        }
        let tokenFile = keys.string("http.token_file", default: "")
        if !tokenFile.isEmpty {
            h.tokenFile = tokenFile
            do {
                let text = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters()
                if text.count < 16 {
                    keys.fail("http.token_file", "\(tokenFile) holds \(text.count) characters; put a random token of at least 16 in it (e.g. `head -c 24 /dev/urandom | base64 > \(tokenFile)`)")
                } else if text.contains(where: { $0.isWhitespace }) {
                    keys.fail("http.token_file", "the token in \(tokenFile) contains whitespace; write one line without spaces")
                } else {
                    h.token = text
                }
            } catch {
                keys.fail("http.token_file", "cannot read \(tokenFile): \(error.localizedDescription); create it with a random token, readable by the daemon only")
            }
        }
        h.latencySampleEvery = keys.int("http.latency_sample_every", default: h.latencySampleEvery, range: 1...1_000_000)
        h.qualityHalfLife = keys.double("http.quality_half_life", default: h.qualityHalfLife)
        if !(h.qualityHalfLife >= 1 && h.qualityHalfLife <= 1e9) {
            keys.fail("http.quality_half_life", "must be a number of observations in 1…1e9, got \(h.qualityHalfLife)")
        }
        return h
    }
}
