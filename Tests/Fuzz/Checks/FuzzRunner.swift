import Dispatch
import Foundation
import PredictorEngine
import PredictordConfig
import Synchronization

/// Callbacks for libFuzzer's driver (`LLVMFuzzerRunDriver`, C function pointers, so they use static state only):
/// each runs a check and traps with the violated properties, which libFuzzer reports as a crash with the input.
public enum FuzzRunner {
    /// The example models of `Config/predictord.yaml` (one per kind), for feeding decoded payloads to a real engine.
    public static let exampleModels: [ModelDefinition] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized
        let path = root.appendingPathComponent("Config/predictord.yaml").path
        let models = blocking { () async -> [ModelDefinition]? in
            try? await ConfigurationLoader.load(path: path, environment: [:]).models
        }
        guard let models, !models.isEmpty else { fatalError("cannot load the example models from \(path)") }
        return models
    }()

    /// One scratch file per fuzzing process for `config` (the loader reads a path), on tmpfs when there is one.
    static let scratchPath = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory())
        + "predictord-fuzz-config-\(ProcessInfo.processInfo.processIdentifier).yaml"

    /// libFuzzer callback: one wire payload through ``WireCheck``.
    public static let wire: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
        let problems = WireCheck.problems(bytes(data, size), models: exampleModels)
        if !problems.isEmpty { fatalError(problems.joined(separator: "\n")) }
        return 0
    }

    /// libFuzzer callback: one configuration file through ``ConfigCheck``.
    public static let config: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
        let input = bytes(data, size)
        let problems = blocking { await ConfigCheck.problems(input, scratchPath: scratchPath) }
        if !problems.isEmpty { fatalError(problems.joined(separator: "\n")) }
        return 0
    }

    private static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Runs `body` on the cooperative pool and waits for its result on this (non-async) thread.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Result<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            result.value.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.value.withLock { $0! }
    }

    private final class Result<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }
}
