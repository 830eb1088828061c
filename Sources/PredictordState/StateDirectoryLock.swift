#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<state directory>/lock`, held for the daemon's life, so two daemons never share (and
/// overwrite) one state directory's checkpoint; the file holds the owner's PID for the error the second one prints.
///
/// The kernel releases the lock when the descriptor closes, including on kill -9, so a stale file never blocks a start.
public final class StateDirectoryLock {
    /// `<directory>/lock`.
    public let path: String
    private let fd: Int32

    /// Takes the lock without waiting; throws, naming the directory and the holder's PID, when another process holds it.
    public init(directory: String) throws(CheckpointError) {
        path = directory + "/lock"
        // Read-only: a descriptor open for writing would make `mount -o remount,ro` of the directory fail (EBUSY).
        fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let code = errno
            throw CheckpointError(
                .io, "cannot open the state directory lock \(path): \(String(cString: strerror(code))) (errno \(code)); fix the permissions of state.directory",
                path: path)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw CheckpointError(
                    .io, "state directory \(directory) is in use by another predictord (PID \(holder.map(String.init) ?? "unknown") holds \(path)); "
                        + "stop that daemon or give this one its own state.directory",
                    path: directory)
            }
            throw CheckpointError(.io, "cannot lock \(path): \(String(cString: strerror(code))) (errno \(code))", path: path)
        }
        // The PID through a second, short-lived descriptor: closing it keeps the lock (flock belongs to `fd`'s
        // open file description, unlike fcntl locks).
        let writer = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW)
        if writer >= 0 {
            let text = Array("\(getpid())\n".utf8)
            _ = text.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
            close(writer)
        }
    }

    deinit { close(fd) }

    /// The PID written in the lock file by its holder, if it reads as one.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == " " }).first
        return text.flatMap { Int32($0) }
    }
}
