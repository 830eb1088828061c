#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replays a state directory's journal after the checkpoint that was loaded: finds the segment that follows that
/// checkpoint, hands every valid record of it and of the segments that continue it to `apply`, and sorts the rest
/// out (older segments deleted, unreplayable ones moved aside), so the daemon can go on appending.
public struct JournalRecovery: Sendable {
    /// What was found and done, for the start-up log.
    public struct Report: Sendable {
        /// Segments whose records were replayed, in order.
        public var replayed: [UInt64] = []
        public var records = 0
        public var messages = 0
        /// A torn or corrupt tail cut from the last replayed segment: its seq and the bytes cut.
        public var torn: (seq: UInt64, bytes: UInt64)?
        /// Segments older than the checkpoint (already in it), deleted.
        public var obsolete = 0
        /// Segments that could not be replayed (no matching checkpoint, a broken chain, a bad header), moved aside, and why.
        public var orphaned: [(path: String, reason: String)] = []
        /// The segment to go on appending to (the last replayed one, its torn tail to be cut), if any.
        public var last: (header: JournalFormat.SegmentHeader, path: String, validLength: UInt64)?
        /// One more than the highest seq present: the seq of the next new segment.
        public var nextSeq: UInt64 = 1

        public init() {}
    }

    public let directory: JournalDirectory

    public init(directory: JournalDirectory) {
        self.directory = directory
    }

    /// Replays the journal after the checkpoint written at `base` (nil: no checkpoint was loaded).
    public func run(base: Double?, now: Double, apply: (JournalRecord) -> Void) -> Report {
        var report = Report()
        let seqs = directory.segments()
        report.nextSeq = (seqs.last ?? 0) + 1
        var readers: [(seq: UInt64, reader: JournalSegmentReader?)] = []
        for seq in seqs {
            readers.append((seq, try? JournalSegmentReader(path: directory.path(seq: seq))))
        }
        func orphan(_ seq: UInt64, _ reason: String) {
            let path = directory.moveAside(seq: seq, now: now) ?? directory.path(seq: seq)
            report.orphaned.append((path, reason))
        }
        // The first segment that follows the loaded checkpoint (a later one with the same base continues it).
        let start = readers.firstIndex { $0.reader.map { $0.header.base?.bitPattern == base?.bitPattern } ?? false }
        guard let start else {
            for (seq, reader) in readers {
                orphan(seq, reader == nil ? "unreadable or not a journal segment" : "it follows a checkpoint that is not the one loaded")
            }
            return report
        }
        for (seq, _) in readers[..<start] {
            if unlinkSegment(seq) { report.obsolete += 1 }
        }
        var previous: (seq: UInt64, length: UInt64)?
        for index in start..<readers.count {
            let (seq, reader) = readers[index]
            guard let reader else {
                orphan(seq, "unreadable or not a journal segment")
                previous = nil
                continue
            }
            if index > start {
                guard let prior = previous, let link = reader.header.previous, link.seq == prior.seq, link.length == prior.length else {
                    orphan(seq, "the segment before it ends early (a failed write or a torn tail), so its records do not follow the state replayed")
                    previous = nil
                    continue
                }
            }
            while let record = reader.next() {
                apply(record)
                report.records += 1
                if record.kind == .messages { report.messages += record.count }
            }
            report.replayed.append(seq)
            if reader.tornBytes > 0 { report.torn = (seq, reader.tornBytes) }
            report.last = (reader.header, reader.path, reader.validLength)
            previous = (seq, reader.validLength)
        }
        return report
    }

    private func unlinkSegment(_ seq: UInt64) -> Bool {
        unlink(directory.path(seq: seq)) == 0
    }
}
