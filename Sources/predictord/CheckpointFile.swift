import PredictordState

/// Reads and decodes `DIR/checkpoint.bin` read-only for `inspect` and `explain`; a corrupt file is reported and left.
struct CheckpointFile {
    let path: String
    let size: Int
    let checkpoint: Checkpoint

    init(directory: String) throws {
        path = directory + "/checkpoint.bin"
        let data = try FileInput.read(path, what: "checkpoint", hint: "has a daemon run with state.directory = \(directory)?")
        size = data.count
        do {
            checkpoint = try CheckpointCodec.decode(Array(data))
        } catch {
            throw CommandFailure("cannot decode checkpoint \(path): \(error) (left unchanged; the daemon moves a corrupt one aside at start)")
        }
    }
}
