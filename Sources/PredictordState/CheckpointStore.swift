import PredictorEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checkpoint file of one state directory: written atomically (temp file, fsync, rename, directory fsync), read verified.
///
/// One writer at a time per directory (the daemon's checkpoint task); a failed write leaves the previous checkpoint intact.
public struct CheckpointStore: Sendable {
    /// The state directory (created with mode 0700 if missing).
    public let directory: String
    /// `<directory>/checkpoint.bin`: the current checkpoint.
    public var checkpointPath: String { directory + "/checkpoint.bin" }
    /// `<directory>/checkpoint.tmp`: the next checkpoint while it is being written.
    public var temporaryPath: String { directory + "/checkpoint.tmp" }

    /// Uses `directory`, creating it (and missing parents) with mode 0700; throws if it is not a writable directory.
    public init(directory: String) throws(CheckpointError) {
        var dir = directory
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        guard !dir.isEmpty else {
            throw CheckpointError(.io, "the state directory is empty; set state.directory to a writable directory")
        }
        self.directory = dir
        try Self.makeDirectory(dir)
        guard access(dir, W_OK | X_OK) == 0 else {
            throw CheckpointError(
                .io, "state directory \(dir) is not writable: \(Self.lastError()); set state.directory or fix its permissions",
                path: dir)
        }
    }

    // MARK: Writing

    /// Writes `checkpoint` atomically over `checkpoint.bin`; on failure the previous file is untouched and the temp file removed.
    @discardableResult
    public func write(_ checkpoint: Checkpoint) throws(CheckpointError) -> CheckpointWriteResult {
        let start = ContinuousClock.now
        return try write(
            bytes: CheckpointCodec.encode(checkpoint), contexts: checkpoint.contexts.count, models: checkpoint.models.count,
            since: start)
    }

    /// Writes `engine`'s checkpoint as of `createdAt` like ``write(_:)``, the same bytes, streamed to the temp file
    /// through one `bufferBytes` buffer (what the daemon uses): no file image is held, and `engine` is released as soon
    /// as it is encoded, before the fsync, so a snapshot shares the live engine's contexts as briefly as possible.
    ///
    /// The header's length and checksum are known only at the end: it is written last, over the placeholder, with the
    /// checksum computed by reading the payload back (from the page cache; the bytes that will be fsynced).
    @discardableResult
    public func write(
        _ engine: consuming PredictionEngine, createdAt: Double, bufferBytes: Int = 1 << 20
    ) throws(CheckpointError) -> CheckpointWriteResult {
        let start = ContinuousClock.now
        let contexts = engine.contexts.count, models = engine.models.count
        let tmp = temporaryPath
        let fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw writeFailure("cannot create \(tmp)") }
        var failure: String?
        let total = CheckpointCodec.stream(engine, createdAt: createdAt, chunkBytes: bufferBytes) { piece in
            failure = Self.writeAll(piece, to: fd)
            return failure == nil
        }
        _ = consume engine
        let fail = { (message: String) throws(CheckpointError) -> Never in
            close(fd)
            unlink(tmp)
            throw writeFailure(message, explained: true)
        }
        guard let total else { try fail("writing \(tmp) failed: \(failure ?? "unknown error")") }
        let header: [UInt8]
        do {
            header = try CheckpointCodec.header(payloadLength: total - CheckpointCodec.headerSize) { crc throws(CheckpointError) in
                try Self.readBack(fd: fd, from: CheckpointCodec.headerSize, to: total, bufferBytes: bufferBytes, path: tmp) { crc.update($0) }
            }
        } catch {
            try fail(error.message)
        }
        let written = header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == CheckpointCodec.headerSize else {
            try fail("writing the header of \(tmp) failed: \(written < 0 ? Self.lastError() : "short write")")
        }
        try finish(fd: fd)
        return CheckpointWriteResult(
            path: checkpointPath, bytes: total, contexts: contexts, models: models, duration: ContinuousClock.now - start)
    }

    /// Reads bytes `from..<to` of `fd` back in `bufferBytes` pieces, handing each to `body`.
    private static func readBack(
        fd: Int32, from: Int, to: Int, bufferBytes: Int, path: String, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(CheckpointError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferBytes, 4096), alignment: 16)
        defer { buffer.deallocate() }
        var offset = from
        while offset < to {
            let n = pread(fd, buffer.baseAddress, min(buffer.count, to - offset), off_t(offset))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw CheckpointError(.io, "reading \(path) back for its checksum failed at byte \(offset): \(n < 0 ? lastError() : "unexpected end of file")", path: path)
            }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += n
        }
    }

    private func write(bytes: [UInt8], contexts: Int, models: Int, since start: ContinuousClock.Instant) throws(CheckpointError) -> CheckpointWriteResult {
        let tmp = temporaryPath
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw writeFailure("cannot create \(tmp)") }
        if let failure = bytes.withUnsafeBytes({ Self.writeAll($0, to: fd) }) {
            close(fd)
            unlink(tmp)
            throw writeFailure("writing \(tmp) failed: \(failure)", explained: true)
        }
        try finish(fd: fd)
        return CheckpointWriteResult(
            path: checkpointPath, bytes: bytes.count, contexts: contexts, models: models, duration: ContinuousClock.now - start)
    }

    /// Makes the complete temp file `fd` durable and moves it over the checkpoint (fsync, close, rename, directory fsync).
    private func finish(fd: Int32) throws(CheckpointError) {
        let tmp = temporaryPath
        guard fsync(fd) == 0 else {
            let error = writeFailure("fsync of \(tmp) failed")
            close(fd)
            unlink(tmp)
            throw error
        }
        guard close(fd) == 0 else {
            let error = writeFailure("closing \(tmp) failed")
            unlink(tmp)
            throw error
        }
        guard rename(tmp, checkpointPath) == 0 else {
            let error = writeFailure("renaming \(tmp) to \(checkpointPath) failed")
            unlink(tmp)
            throw error
        }
        if let failure = Self.syncDirectory(directory) {
            throw CheckpointError(
                .io,
                "checkpoint written, but fsync of directory \(directory) failed (\(failure)); "
                    + "it may not survive a power loss; check the file system of state.directory",
                path: checkpointPath)
        }
    }

    /// An I/O error for a failed write (errno text unless already `explained`), stating that the old checkpoint is kept.
    private func writeFailure(_ what: String, explained: Bool = false) -> CheckpointError {
        let cause = explained ? what : "\(what): \(Self.lastError())"
        return CheckpointError(
            .io,
            "cannot write checkpoint: \(cause); the previous checkpoint is kept. "
                + "Free disk space or fix the permissions of \(directory) (state.directory)",
            path: checkpointPath)
    }

    /// Writes every byte, retrying on EINTR and short writes; returns the error text on failure.
    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to fd: Int32) -> String? {
        guard let base = buffer.baseAddress else { return nil }
        var offset = 0
        while offset < buffer.count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, base + offset, buffer.count - offset)
            #else
            let n = Darwin.write(fd, base + offset, buffer.count - offset)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                return lastError()
            }
            if n == 0 { return "the file system accepted no bytes" }
            offset += n
        }
        return nil
    }

    /// Makes a rename in `directory` durable; returns the error text on failure (EINVAL: the file system cannot, ignored).
    private static func syncDirectory(_ directory: String) -> String? {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return lastError() }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else { return lastError() }
        return nil
    }

    // MARK: Loading

    /// Reads and verifies `checkpoint.bin`; a corrupt or foreign file is renamed to `checkpoint.corrupt-<UTC time>.bin`.
    ///
    /// Throws only when the file cannot be read at all or cannot be moved aside (it is never deleted or ignored).
    public func load() throws(CheckpointError) -> CheckpointLoad {
        if let kind = try nonRegularKind(checkpointPath) {
            let reason = CheckpointError(
                .notACheckpoint, "checkpoint.bin is \(kind), not a regular file; a checkpoint is always a regular file", path: checkpointPath)
            return .movedAside(reason: reason, to: try moveAside(reason: reason))
        }
        guard let bytes = try readFile(checkpointPath) else { return .none }
        do {
            return .loaded(try CheckpointCodec.decode(bytes))
        } catch {
            let reason = error.at(checkpointPath)
            return .movedAside(reason: reason, to: try moveAside(reason: reason))
        }
    }

    /// What `path` is when it exists but is not a regular file (a FIFO would block the start forever in `open`),
    /// else nil. Opened with O_NONBLOCK and checked with fstat, so neither a FIFO nor a device can hang it.
    private func nonRegularKind(_ path: String) throws(CheckpointError) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ENXIO { return "a device or socket" }
            throw CheckpointError(
                .io, "cannot open the checkpoint: \(Self.lastError()); fix its permissions or move it aside", path: path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a directory"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// The file's bytes, or nil when it does not exist.
    private func readFile(_ path: String) throws(CheckpointError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw CheckpointError(
                .io, "cannot open the checkpoint: \(Self.lastError()); fix its permissions or move it aside", path: path)
        }
        defer { close(fd) }
        var info = stat()
        let expected = fstat(fd, &info) == 0 ? max(Int(info.st_size), 0) : 0
        var bytes = [UInt8](repeating: 0, count: expected + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 65536))) }
            let n = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + count, buffer.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(
                    .io, "cannot read the checkpoint: \(Self.lastError()); fix the file or move it aside", path: path)
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// Renames the bad checkpoint to a fresh `checkpoint.corrupt-<UTC timestamp>[-n].bin`; returns the new path.
    private func moveAside(reason: CheckpointError) throws(CheckpointError) -> String {
        let stamp = Self.utcTimestamp()
        var target = "\(directory)/checkpoint.corrupt-\(stamp).bin"
        var n = 2
        while access(target, F_OK) == 0 {
            target = "\(directory)/checkpoint.corrupt-\(stamp)-\(n).bin"
            n += 1
        }
        guard rename(checkpointPath, target) == 0 else {
            throw CheckpointError(
                .io,
                "unusable checkpoint (\(reason.message)) could not be moved aside to \(target): \(Self.lastError()); "
                    + "move it away by hand and restart",
                path: checkpointPath)
        }
        _ = Self.syncDirectory(directory)
        return target
    }

    // MARK: Helpers

    /// Creates `path` and missing parents with mode 0700; an existing directory is fine.
    private static func makeDirectory(_ path: String) throws(CheckpointError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw CheckpointError(
                    .io, "state directory \(path) exists but is not a directory; set state.directory", path: path)
            }
            return
        }
        guard errno == ENOENT else {
            throw CheckpointError(
                .io, "state directory \(path) is not accessible: \(lastError()); set state.directory", path: path)
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectory(String(path[..<slash]))
        }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw CheckpointError(
                .io, "state directory \(path) cannot be created: \(lastError()); set state.directory", path: path)
        }
    }

    /// `strerror(errno)` with the number.
    private static func lastError() -> String {
        let code = errno
        return "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// The current UTC time as `yyyyMMdd'T'HHmmss'Z'`.
    static func utcTimestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}
