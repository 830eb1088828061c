import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The journal segments of a state directory, `journal-<seq>.log` (12 digits), oldest first.
///
/// Sendable value: the checkpoint queue removes segments a durable checkpoint has made obsolete while the poll
/// thread appends to a newer one; each segment file is written by one thread only.
public struct JournalDirectory: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func path(seq: UInt64) -> String {
        let digits = String(seq)
        return directory + "/journal-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".log"
    }

    /// The seqs of the segment files present, ascending.
    public func segments() -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap(Self.seq(ofName:)).sorted()
    }

    /// The seq in a segment file name, nil for any other name.
    static func seq(ofName name: String) -> UInt64? {
        guard name.hasPrefix("journal-"), name.hasSuffix(".log") else { return nil }
        let digits = name.dropFirst(8).dropLast(4)
        guard digits.count == 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return UInt64(digits)
    }

    /// Deletes every segment older than `seq` (what a durable checkpoint taken when `seq` began has absorbed);
    /// returns how many were removed.
    @discardableResult
    public func removeSegments(before seq: UInt64) -> Int {
        var removed = 0
        for old in segments() where old < seq {
            if unlink(path(seq: old)) == 0 { removed += 1 }
        }
        return removed
    }

    /// Renames a segment that can no longer be replayed to `journal-<seq>.orphaned-<UTC time>.log` (kept for
    /// inspection, never read again); returns the new path, or nil if the rename failed.
    public func moveAside(seq: UInt64, now: Double) -> String? {
        let stamp = Date(timeIntervalSince1970: now).formatted(.iso8601).replacingOccurrences(of: ":", with: "")
        let target = path(seq: seq).dropLast(4) + ".orphaned-\(stamp).log"
        return rename(path(seq: seq), String(target)) == 0 ? String(target) : nil
    }

    /// Makes a new directory entry durable (fsync of the directory; EINVAL: the file system cannot, ignored).
    func syncDirectory() -> String? {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else { return String(cString: strerror(errno)) }
        return nil
    }
}
