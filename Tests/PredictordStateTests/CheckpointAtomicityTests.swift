import Foundation
import PredictorEngine
import PredictordState
import Testing

@Suite("Checkpoint atomic writes")
struct CheckpointAtomicityTests {
    static func expectLoads(_ store: CheckpointStore, _ expected: Checkpoint) throws {
        guard case let .loaded(checkpoint) = try store.load() else {
            Issue.record("the previous checkpoint is no longer loadable")
            return
        }
        #expect(checkpoint == expected)
    }

    @Test("a failing write (temp path unusable) throws and keeps the previous checkpoint")
    func checkpointWriteFailureKeepsPrevious() throws {
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        let old = CheckpointFixtures.trainedEngine(messages: 40).checkpoint(createdAt: 1)
        try store.write(old)
        // A directory where the temp file goes makes creating it fail, like a read-only or full disk would.
        try FileManager.default.createDirectory(atPath: store.temporaryPath, withIntermediateDirectories: false)
        let error = #expect(throws: CheckpointError.self) {
            try store.write(CheckpointFixtures.trainedEngine(messages: 80).checkpoint(createdAt: 2))
        }
        #expect(error?.kind == .io)
        #expect(error?.description.contains("checkpoint.tmp") == true, "\(String(describing: error))")
        #expect(error?.description.contains("previous checkpoint is kept") == true)
        #expect(error?.description.contains("state.directory") == true)
        try Self.expectLoads(store, old)
        try FileManager.default.removeItem(atPath: store.temporaryPath)
        #expect(dir.entries() == ["checkpoint.bin"])
    }

    @Test("disk full while writing (temp file on /dev/full): throws ENOSPC, keeps the previous checkpoint, removes the temp file",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func checkpointDiskFull() throws {
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        let old = CheckpointFixtures.trainedEngine(messages: 40).checkpoint(createdAt: 1)
        try store.write(old)
        try FileManager.default.createSymbolicLink(atPath: store.temporaryPath, withDestinationPath: "/dev/full")
        let error = #expect(throws: CheckpointError.self) { try store.write(old) }
        #expect(error?.description.contains("No space left on device") == true, "\(String(describing: error))")
        #expect(error?.description.contains("Free disk space") == true)
        try Self.expectLoads(store, old)
        #expect(dir.entries() == ["checkpoint.bin"])
    }

    @Test("a write failing after the temp file was written removes the temp file")
    func checkpointRenameFailureRemovesTemp() throws {
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        // A non-empty directory in place of checkpoint.bin makes the final rename fail.
        try FileManager.default.createDirectory(atPath: store.checkpointPath + "/keep", withIntermediateDirectories: true)
        let error = #expect(throws: CheckpointError.self) {
            try store.write(CheckpointFixtures.trainedEngine(messages: 20).checkpoint(createdAt: 1))
        }
        #expect(error?.description.contains("renaming") == true, "\(String(describing: error))")
        #expect(!dir.exists("checkpoint.tmp"))
        #expect(dir.entries() == ["checkpoint.bin"])
    }

    @Test("a read-only state directory: the write fails, the previous checkpoint stays, no temp file",
          .enabled(if: geteuid() != 0, "root ignores directory permissions"))
    func checkpointReadOnlyDirectory() throws {
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        let old = CheckpointFixtures.trainedEngine(messages: 40).checkpoint(createdAt: 1)
        try store.write(old)
        chmod(dir.path, 0o500)
        defer { chmod(dir.path, 0o700) }
        #expect(throws: CheckpointError.self) { try store.write(old) }
        try Self.expectLoads(store, old)
        #expect(dir.entries() == ["checkpoint.bin"])
        #expect(throws: CheckpointError.self) { try CheckpointStore(directory: dir.path) }
    }

    @Test("successive writes replace the checkpoint; a stale temp file from a crash is ignored and overwritten")
    func checkpointReplaceAndStaleTemp() throws {
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        #expect(try store.load() == .none)
        try store.write(CheckpointFixtures.trainedEngine(messages: 10).checkpoint(createdAt: 1))
        dir.write("checkpoint.tmp", Array(repeating: 0xAB, count: 100_000))
        let newer = CheckpointFixtures.trainedEngine(messages: 60).checkpoint(createdAt: 2)
        let result = try store.write(newer)
        #expect(result.path == store.checkpointPath)
        #expect(result.bytes == dir.bytes("checkpoint.bin")?.count)
        #expect(result.models == 5)
        #expect(result.duration >= .zero)
        try Self.expectLoads(store, newer)
        #expect(dir.entries() == ["checkpoint.bin"])
    }

    @Test("the state directory is created with mode 0700; a file in its place is a clear error")
    func checkpointDirectoryCreation() throws {
        let dir = TemporaryDirectory()
        let nested = dir.path + "/state/predictord/"
        let store = try CheckpointStore(directory: nested)
        #expect(store.directory == dir.path + "/state/predictord")
        var info = stat()
        #expect(stat(store.directory, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        try store.write(CheckpointFixtures.trainedEngine(messages: 5).checkpoint(createdAt: 0))

        dir.write("file", [1])
        let error = #expect(throws: CheckpointError.self) { try CheckpointStore(directory: dir.path + "/file") }
        #expect(error?.description.contains("not a directory") == true)
        #expect(error?.description.contains("set state.directory") == true)
        let below = #expect(throws: CheckpointError.self) { try CheckpointStore(directory: dir.path + "/file/sub") }
        #expect(below?.description.contains("state.directory") == true)
    }

    @Test("a corrupt file is moved aside under a fresh name each time, never overwriting an earlier one")
    func checkpointMovedAsideNamesAreUnique() throws {
        let dir = TemporaryDirectory()
        let store = try CheckpointStore(directory: dir.path)
        var targets: Set<String> = []
        for i in 0..<3 {
            dir.write("checkpoint.bin", [UInt8(i)])
            guard case let .movedAside(_, to) = try store.load() else {
                Issue.record("not moved aside")
                return
            }
            targets.insert(to)
        }
        #expect(targets.count == 3)
        #expect(dir.entries().count == 3)
    }
}
