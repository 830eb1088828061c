import Foundation
import PredictordConfig
import Testing

/// The loader reads the configuration file once: values and the unknown-key check come from the same bytes.
@Suite struct ConfigurationSingleReadTests {
    /// A FIFO yields its contents to one reader only: the writer writes the text once and closes, so a loader that
    /// opens the path a second time would wait for a writer that never comes (the time limit turns that into a failure).
    @Test("the file is opened and read once (a FIFO written once loads)", .timeLimit(.minutes(1)))
    func readsOnce() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-fifo-\(UUID().uuidString).yaml").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let text = ConfigurationLoaderTests.minimal
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { return }
            _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        let config = try await ConfigurationLoader.load(path: path, environment: [:])
        #expect(config.models.map(\.name) == ["a"])
        #expect(config.observations.receiveHighWaterMark == 10)
    }
}
