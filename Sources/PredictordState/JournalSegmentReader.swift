#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one journal segment's records in order, stopping at the first record that is incomplete or fails its
/// checksum: everything from there on is a torn tail (a write cut by a crash), reported as ``tornBytes``.
public final class JournalSegmentReader {
    public let path: String
    public let header: JournalFormat.SegmentHeader
    /// Bytes of the segment up to the end of the last valid record read so far.
    public private(set) var validLength: UInt64
    /// The file's size when opened.
    public let fileSize: UInt64
    private let fd: Int32

    /// Opens `path`; throws when it cannot be read or does not start with a valid segment header.
    public init(path: String) throws(CheckpointError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            throw CheckpointError(.io, "cannot open journal segment: \(String(cString: strerror(errno)))", path: path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CheckpointError(.io, "journal segment is not a regular file; remove it", path: path)
        }
        var bytes = [UInt8](repeating: 0, count: JournalFormat.segmentHeaderSize)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n == JournalFormat.segmentHeaderSize, let header = JournalFormat.decodeSegmentHeader(bytes) else {
            close(fd)
            throw CheckpointError(.corrupt, "not a journal segment (bad or incomplete header)", path: path)
        }
        self.fd = fd
        self.header = header
        fileSize = UInt64(info.st_size)
        validLength = UInt64(JournalFormat.segmentHeaderSize)
    }

    deinit { close(fd) }

    /// Bytes after the last valid record (0 once the whole file has been read without a tear).
    public var tornBytes: UInt64 { fileSize - validLength }

    /// The next record, or nil at the end of the valid part (the file's end, or a torn or corrupt record).
    public func next() -> JournalRecord? {
        let offset = validLength
        guard fileSize - offset >= UInt64(JournalFormat.recordHeaderSize) else { return nil }
        var head = [UInt8](repeating: 0, count: JournalFormat.recordHeaderSize)
        guard readFully(&head, at: offset) else { return nil }
        guard JournalFormat.load32(head, 0) == JournalFormat.recordMagic,
              let kind = JournalFormat.RecordKind(rawValue: head[4]) else { return nil }
        let length = Int(JournalFormat.load32(head, 8)), count = Int(JournalFormat.load32(head, 12))
        guard length <= JournalFormat.maxPayload,
              fileSize - offset - UInt64(JournalFormat.recordHeaderSize) >= UInt64(length) else { return nil }
        var payload = [UInt8](repeating: 0, count: length)
        guard length == 0 || readFully(&payload, at: offset + UInt64(JournalFormat.recordHeaderSize)) else { return nil }
        var crc = CRC64()
        crc.update(head[0..<24])
        crc.update(payload)
        guard crc.value == JournalFormat.load64(head, 24) else { return nil }
        validLength = offset + UInt64(JournalFormat.recordHeaderSize + length)
        return JournalRecord(kind: kind, now: Double(bitPattern: JournalFormat.load64(head, 16)), count: count, payload: payload)
    }

    private func readFully(_ buffer: inout [UInt8], at offset: UInt64) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeMutableBytes { p in
                pread(fd, p.baseAddress! + done, p.count - done, off_t(offset) + off_t(done))
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }
}
