import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Scrapes a daemon's `/metrics` every `interval` seconds on its own thread (plain HTTP/1.1 GET over a loopback
/// socket, `Connection: close`), as Prometheus would, until stopped; keeps the last body and the scrape count.
final class BenchScraper: Sendable {
    let port: Int
    let interval: Double
    private let state = Mutex<(stop: Bool, scrapes: Int, failures: Int, last: String, seconds: Double)>((false, 0, 0, "", 0))

    init(port: Int, interval: Double = 1) {
        self.port = port
        self.interval = interval
    }

    var scrapes: Int { state.withLock { $0.scrapes } }
    var failures: Int { state.withLock { $0.failures } }
    var last: String { state.withLock { $0.last } }
    /// Mean seconds per scrape (request to the end of the body).
    var meanSeconds: Double { state.withLock { $0.scrapes > 0 ? $0.seconds / Double($0.scrapes) : 0 } }

    func start() throws -> BenchThread {
        try BenchThread { [self] in
            // The first scrape one interval after the traffic starts (the server is up by then).
            while !state.withLock({ $0.stop }) {
                var slept = 0.0
                while slept < interval, !state.withLock({ $0.stop }) { usleep(20_000); slept += 0.02 }
                if !state.withLock({ $0.stop }) { scrapeOnce() }
            }
        }
    }

    func stop() { state.withLock { $0.stop = true } }

    /// One GET; the body is kept as text when the answer is 200 and `keep` (false: the bytes are read and only the
    /// status line is checked, so that the client's own work on a shared machine stays small).
    @discardableResult
    func scrapeOnce(keep: Bool = true) -> Bool {
        let start = Date()
        guard let bytes = Self.getBytes(port: port, path: "/metrics"), bytes.starts(with: Self.okStatus) else {
            state.withLock { $0.failures += 1 }
            return false
        }
        var body: String?
        if keep {
            let response = String(decoding: bytes, as: UTF8.self)
            guard let split = response.range(of: "\r\n\r\n") else {
                state.withLock { $0.failures += 1 }
                return false
            }
            body = String(response[split.upperBound...])
        }
        let elapsed = Date().timeIntervalSince(start)
        state.withLock { $0.scrapes += 1; if let body { $0.last = body }; $0.seconds += elapsed }
        return true
    }

    private static let okStatus = Array("HTTP/1.1 200".utf8)

    /// The whole response's bytes of `GET path` on 127.0.0.1:`port`, or nil.
    static func getBytes(port: Int, path: String) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// The value of the unlabelled sample `name` in an exposition text.
    static func value(_ name: String, _ text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }

    /// The `q` quantile (seconds) of `model`'s `predictord_latency_seconds` in an exposition text, interpolated
    /// linearly within its bucket as PromQL's histogram_quantile does, with that bucket (lower, upper] and the
    /// sample count.
    static func quantile(_ q: Double, _ text: String, model: String) -> BenchHistogramQuantile? {
        var buckets: [(Double, Double)] = []
        let prefix = "predictord_latency_seconds_bucket{model=\"\(model)\",le=\""
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\""), let space = rest.lastIndex(of: " ") else { continue }
            let le = rest[..<quote] == "+Inf" ? Double.infinity : Double(rest[..<quote]) ?? .nan
            buckets.append((le, Double(rest[rest.index(after: space)...]) ?? 0))
        }
        buckets.sort { $0.0 < $1.0 }
        guard let total = buckets.last?.1, total > 0 else { return nil }
        let rank = q * total
        var lower = 0.0, below = 0.0
        for (le, cumulative) in buckets {
            if cumulative >= rank {
                let value = le.isInfinite ? lower : lower + (le - lower) * (rank - below) / max(cumulative - below, 1)
                return BenchHistogramQuantile(value: value, lower: lower, upper: le, count: total)
            }
            lower = le
            below = cumulative
        }
        return nil
    }
}

/// CPU seconds (user + system) a process has used, from /proc/<pid>/stat.
func benchCPUSeconds(pid: Int32) -> Double? {
    benchStatCPU("/proc/\(pid)/stat")?.seconds
}

/// CPU seconds (user + system) of each thread of a process by thread name (summed over threads of one name),
/// from /proc/<pid>/task/*/stat.
func benchThreadCPUSeconds(pid: Int32) -> [String: Double] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    var out: [String: Double] = [:]
    for task in tasks {
        if let (name, seconds) = benchStatCPU("/proc/\(pid)/task/\(task)/stat") { out[name, default: 0] += seconds }
    }
    return out
}

/// The name (comm) and CPU seconds (utime + stime) in a /proc stat file.
private func benchStatCPU(_ path: String) -> (name: String, seconds: Double)? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
          let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
    // After "pid (comm)": state is field 3, utime and stime are fields 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (String(text[text.index(after: open)..<close]), (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
}
