import Foundation
import PredictordTestSupport

#if canImport(Glibc)
import Glibc
#endif

// Harness for the end-to-end tests of the real daemon: real `predictord run` processes with a temporary
// configuration, real ZeroMQ sockets on 127.0.0.1, a real AF_UNIX datagram socket as NOTIFY_SOCKET, and the real
// `predictord replay` as the oracle. Every wait is bounded; every spawned process is killed when its owner goes.

enum Harness {
    /// The `predictord` executable built next to the test bundle.
    static var binary: URL { BuiltExecutable.predictord }

    /// This test directory (for the python client).
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// A free TCP port on 127.0.0.1: bind port 0, read the port, close. (Racy in principle; the daemon start
    /// retries with fresh ports when a bind fails.)
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError("bind 127.0.0.1:0: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw HarnessError("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a plain TCP connect to 127.0.0.1:`port` succeeds right now (no retry): something listens there.
    static func tcpConnects(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A fresh temporary directory; the caller removes it.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `executable` (default `predictord`) with `arguments` to completion (bounded), output through files.
    static func runTool(_ arguments: [String], executable: URL = binary, in directory: URL, timeout: Double = 30,
                        environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let out = directory.appendingPathComponent("tool-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = cleanEnvironment().merging(extra) { $1 }
        process.standardInput = FileHandle.nullDevice
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        defer { try? outHandle.close(); try? errHandle.close() }
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        if !waitUntil(timeout, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HarnessError("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return (process.terminationStatus, try Data(contentsOf: out), String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// The test runner's environment without anything that would change how predictord behaves (systemd variables,
    /// PREDICTORD_* overrides).
    static func cleanEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("PREDICTORD_") && !["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "INVOCATION_ID",
                                                "JOURNAL_STREAM", "STATE_DIRECTORY", "LISTEN_FDS", "LISTEN_PID"].contains(key)
        }
    }
}
