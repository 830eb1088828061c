import Foundation
import PredictordState
import PredictordTestSupport
import Testing

/// The journal's records on disk: what was appended reads back byte for byte, and a file cut or damaged anywhere
/// yields exactly the records that lie wholly before the damage (the rest is reported as a torn tail).
@Suite("journal segments")
struct JournalFormatTests {
    struct Message: Equatable { var topic: [UInt8]; var body: [UInt8] }
    enum Entry: Equatable { case messages(Double, [Message]), eviction(Double) }

    /// Random batches (some an eviction) and their encoded sizes, computed from the documented layout.
    static func batches(seed: UInt64) -> [Entry] {
        var rng = SplitMix64(seed: seed)
        return (0..<12).map { i in
            if i % 5 == 4 { return .eviction(1000 + Double(i)) }
            let messages = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                Message(topic: (0..<Int.random(in: 1...20, using: &rng)).map { _ in UInt8.random(in: 32...126, using: &rng) },
                        body: (0..<Int.random(in: 0...60, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            return .messages(1000 + Double(i) + 0.25, messages)
        }
    }

    static func size(_ entry: Entry) -> Int {
        switch entry {
        case .eviction: 32
        case let .messages(_, m): 32 + m.reduce(0) { $0 + 6 + $1.topic.count + $1.body.count }
        }
    }

    static func write(_ entries: [Entry], to dir: TemporaryDirectory, seq: UInt64 = 1) throws -> String {
        let writer = try JournalWriter(creating: .init(seq: seq, base: 7.5, previous: nil), in: JournalDirectory(directory: dir.path), sync: false)
        for entry in entries {
            var batch = JournalBatch()
            switch entry {
            case let .eviction(now): batch.appendEviction(now: now)
            case let .messages(now, messages):
                for m in messages { m.topic.withUnsafeBytes { t in m.body.withUnsafeBytes { b in batch.append(topic: t, body: b, now: now) } } }
            }
            batch.seal()
            try batch.bytes.withUnsafeBytes { try writer.append($0) }
        }
        return writer.path
    }

    static func read(_ path: String) throws -> (entries: [Entry], reader: JournalSegmentReader) {
        let reader = try JournalSegmentReader(path: path)
        var entries: [Entry] = []
        while let record = reader.next() {
            switch record.kind {
            case .eviction: entries.append(.eviction(record.now))
            case .messages:
                var messages: [Message] = []
                #expect(record.forEachMessage { t, b in messages.append(Message(topic: Array(t), body: Array(b))) })
                entries.append(.messages(record.now, messages))
            }
        }
        return (entries, reader)
    }

    @Test("records read back exactly; the header names seq and base; sizes follow the documented layout")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        let entries = Self.batches(seed: 1)
        let path = try Self.write(entries, to: dir)
        #expect(path.hasSuffix("/journal-000000000001.log"))
        let (read, reader) = try Self.read(path)
        #expect(read == entries)
        #expect(reader.header == .init(seq: 1, base: 7.5, previous: nil))
        #expect(reader.tornBytes == 0)
        #expect(reader.fileSize == UInt64(56 + entries.reduce(0) { $0 + Self.size($1) }))
    }

    @Test("cut at every length: exactly the whole records before the cut, the rest reported torn")
    func everyTruncation() throws {
        let dir = TemporaryDirectory()
        let entries = Self.batches(seed: 2)
        let full = try #require(FileManager.default.contents(atPath: try Self.write(entries, to: dir)))
        var ends: [Int] = []
        var offset = 56
        for e in entries { offset += Self.size(e); ends.append(offset) }
        for length in 56...full.count {
            let path = dir.path + "/cut.log"
            try full.prefix(length).write(to: URL(fileURLWithPath: path))
            let (read, reader) = try Self.read(path)
            let whole = ends.filter { $0 <= length }.count
            #expect(read == Array(entries.prefix(whole)), "cut at \(length)")
            #expect(reader.validLength == UInt64(whole == 0 ? 56 : ends[whole - 1]), "cut at \(length)")
            #expect(reader.tornBytes == UInt64(length) - reader.validLength)
        }
        // Shorter than the header: not a segment at all.
        try full.prefix(40).write(to: URL(fileURLWithPath: dir.path + "/cut.log"))
        #expect(throws: CheckpointError.self) { try JournalSegmentReader(path: dir.path + "/cut.log") }
    }

    @Test("a flipped bit anywhere in a record stops reading before that record")
    func corruption() throws {
        let dir = TemporaryDirectory()
        let entries = Self.batches(seed: 3)
        let full = [UInt8](try #require(FileManager.default.contents(atPath: try Self.write(entries, to: dir))))
        var starts: [Int] = []
        var offset = 56
        for e in entries { starts.append(offset); offset += Self.size(e) }
        var rng = SplitMix64(seed: 4)
        for _ in 0..<300 {
            let position = Int.random(in: 56..<full.count, using: &rng)
            var damaged = full
            damaged[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            let path = dir.path + "/bad.log"
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            let record = starts.lastIndex { $0 <= position }!
            let (read, reader) = try Self.read(path)
            #expect(read == Array(entries.prefix(record)), "bit flipped at \(position) (record \(record))")
            #expect(reader.tornBytes == UInt64(full.count - starts[record]))
        }
        // A damaged header makes the file no segment.
        var header = full
        header[20] ^= 1
        try Data(header).write(to: URL(fileURLWithPath: dir.path + "/bad.log"))
        #expect(throws: CheckpointError.self) { try JournalSegmentReader(path: dir.path + "/bad.log") }
    }

    @Test("recovery: older segments deleted, the chain followed through exact lengths, a broken link moved aside")
    func recoveryChain() throws {
        let dir = TemporaryDirectory()
        let directory = JournalDirectory(directory: dir.path)
        func segment(_ seq: UInt64, base: Double?, previous: (UInt64, UInt64)?, entries: [Entry]) throws -> UInt64 {
            let writer = try JournalWriter(creating: .init(seq: seq, base: base, previous: previous.map { (seq: $0.0, length: $0.1) }),
                                           in: directory, sync: true)
            for case let .eviction(now) in entries {
                var batch = JournalBatch()
                batch.appendEviction(now: now)
                try batch.bytes.withUnsafeBytes { try writer.append($0) }
            }
            return writer.length
        }
        let l1 = try segment(1, base: nil, previous: nil, entries: [.eviction(1)])
        let l2 = try segment(2, base: 10, previous: (1, l1), entries: [.eviction(2), .eviction(3)])
        let l3 = try segment(3, base: 20, previous: (2, l2), entries: [.eviction(4)])
        _ = try segment(4, base: 30, previous: (3, l3 + 1), entries: [.eviction(5)])  // claims a longer segment 3
        var seen: [Double] = []
        let report = JournalRecovery(directory: directory).run(base: 10, now: 0) { seen.append($0.now) }
        #expect(seen == [2, 3, 4])
        #expect(report.replayed == [2, 3] && report.obsolete == 1 && report.nextSeq == 5)
        #expect(report.orphaned.count == 1 && report.orphaned[0].path.contains("journal-000000000004.orphaned-"))
        #expect(report.last?.header.seq == 3 && report.last?.validLength == l3)
        #expect(directory.segments() == [2, 3])
        // No checkpoint loaded, but segments follow one: nothing can be replayed.
        let none = JournalRecovery(directory: directory).run(base: nil, now: 0) { _ in Issue.record("replayed a foreign segment") }
        #expect(none.orphaned.count == 2 && none.replayed.isEmpty && directory.segments().isEmpty)
    }
}
