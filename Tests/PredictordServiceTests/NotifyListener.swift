import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A bound AF_UNIX datagram socket standing in for systemd's notification socket; a background thread records every
/// datagram with the time it arrived. (Like Tests/SystemdTests/UnixDatagramListener.swift, plus the recorder.)
final class NotifyListener: Sendable {
    struct Datagram: Sendable {
        var time: Date
        var text: String
        var lines: [Substring] { text.split(separator: "\n") }
    }

    /// State shared with the reader thread (which owns and finally closes the descriptor).
    private final class Shared: Sendable {
        let fd: Int32
        let path: String
        let received = Mutex<[Datagram]>([])
        let stop = Atomic<Bool>(false)
        init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    }

    let path: String
    private let shared: Shared

    init() throws {
        path = "/tmp/predictord-e2e-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket(AF_UNIX): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes.prefix(raw.count - 1)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { close(fd); throw HarnessError("bind \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let shared = Shared(fd: fd, path: path)
        self.shared = shared
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !shared.stop.load(ordering: .relaxed) {
                let count = buffer.withUnsafeMutableBytes { recv(shared.fd, $0.baseAddress, $0.count, 0) }
                if count >= 0 {
                    let datagram = Datagram(time: Date(), text: String(decoding: buffer.prefix(count), as: UTF8.self))
                    shared.received.withLock { $0.append(datagram) }
                }
            }
            close(shared.fd)
            unlink(shared.path)
        }
        thread.name = "notify-listener"
        thread.start()
    }

    deinit {
        // Remove the path now (the test process may exit before the reader thread gets to it); the thread then
        // stops within 50 ms and closes the descriptor.
        unlink(path)
        shared.stop.store(true, ordering: .relaxed)
    }

    /// Every datagram so far.
    var datagrams: [Datagram] { shared.received.withLock { $0 } }

    /// Every `KEY=value` line so far, in order.
    var lines: [String] { datagrams.flatMap { $0.lines.map(String.init) } }

    /// The first datagram line satisfying `predicate` (waiting up to `seconds`), with its arrival time.
    func first(within seconds: Double, where predicate: (String) -> Bool) -> (line: String, time: Date)? {
        var found: (String, Date)?
        waitUntil(seconds) {
            for d in datagrams { for line in d.lines where predicate(String(line)) { found = (String(line), d.time); return true } }
            return false
        }
        return found
    }

    /// Count of lines equal to `line` so far.
    func count(_ line: String) -> Int { lines.filter { $0 == line }.count }
}
