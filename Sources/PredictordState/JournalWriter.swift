#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The journal segment being appended to: one write(2) per batch, plus fdatasync when `sync` (state.journal:
/// fsync), so a batch is in the file (or on the disk) before the predictions it caused are sent.
///
/// Owned by the poll thread. A failed append leaves the segment ending at its last complete batch where possible;
/// the caller stops appending to it (the batch's predictions are sent anyway, so the segment now has a gap).
public final class JournalWriter {
    public let path: String
    public let header: JournalFormat.SegmentHeader
    /// Bytes in the segment after the last successful append.
    public private(set) var length: UInt64
    private let fd: Int32
    private let sync: Bool

    /// Creates segment `header.seq` in `directory` and writes its header (synced, with the directory entry, when `sync`).
    public init(creating header: JournalFormat.SegmentHeader, in directory: JournalDirectory, sync: Bool) throws(CheckpointError) {
        path = directory.path(seq: header.seq)
        self.header = header
        self.sync = sync
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Self.failure("cannot create journal segment", path: path) }
        length = 0
        let bytes = JournalFormat.encode(header)
        if let error = bytes.withUnsafeBytes({ Self.writeAll($0, to: fd) }) {
            close(fd)
            unlink(path)
            throw CheckpointError(.io, "writing the journal segment header failed: \(error)", path: path)
        }
        length = UInt64(bytes.count)
        if sync {
            if fdatasync(fd) != 0 {
                let error = Self.failure("fdatasync of the new journal segment failed", path: path)
                close(fd)
                unlink(path)
                throw error
            }
            if let error = directory.syncDirectory() {
                close(fd)
                throw CheckpointError(.io, "fsync of directory \(directory.directory) failed: \(error)", path: path)
            }
        }
    }

    /// Continues an existing segment after its last valid record: a torn tail beyond `validLength` is cut off.
    public init(continuing header: JournalFormat.SegmentHeader, path: String, validLength: UInt64, sync: Bool) throws(CheckpointError) {
        self.path = path
        self.header = header
        self.sync = sync
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw Self.failure("cannot open journal segment for appending", path: path) }
        guard ftruncate(fd, off_t(validLength)) == 0 else {
            let error = Self.failure("cannot cut the torn tail of the journal segment", path: path)
            close(fd)
            throw error
        }
        if sync, fdatasync(fd) != 0 {
            let error = Self.failure("fdatasync of the journal segment failed", path: path)
            close(fd)
            throw error
        }
        length = validLength
    }

    deinit { close(fd) }

    /// Appends `bytes` (complete records); throws with the errno text when the write or the sync fails.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(CheckpointError) {
        guard bytes.count > 0 else { return }
        if let error = Self.writeAll(bytes, to: fd) {
            // Best effort: a partial batch at the end would be cut at the next start anyway.
            _ = ftruncate(fd, off_t(length))
            throw CheckpointError(.io, "journal write failed: \(error)", path: path)
        }
        if sync, fdatasync(fd) != 0 {
            throw Self.failure("journal fdatasync failed", path: path)
        }
        length += UInt64(bytes.count)
    }

    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to fd: Int32) -> String? {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return "\(String(cString: strerror(errno))) (errno \(errno))"
            }
            offset += n
        }
        return nil
    }

    private static func failure(_ what: String, path: String) -> CheckpointError {
        let code = errno
        return CheckpointError(.io, "\(what): \(String(cString: strerror(code))) (errno \(code))", path: path)
    }
}
