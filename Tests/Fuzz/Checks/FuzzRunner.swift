import Dispatch
import PredictorEngine
import PredictordConfig
import Synchronization

/// Synchronous entry points for libFuzzer's C callback (`LLVMFuzzerTestOneInput` cannot await): each runs a check
/// and traps with the violated properties, which libFuzzer reports as a crash with the input saved.
public enum FuzzRunner {
    /// Models of `Config/predictord.yaml` (one per kind), for feeding decoded payloads to a real engine.
    public static func exampleModels(repositoryRoot: String) -> [ModelDefinition] {
        let path = repositoryRoot + "/Config/predictord.yaml"
        let models = blocking { () async -> [ModelDefinition]? in
            try? await ConfigurationLoader.load(path: path, environment: [:]).models
        }
        guard let models, !models.isEmpty else { fatalError("cannot load the example models from \(path)") }
        return models
    }

    /// Checks one wire payload; traps on a violated property.
    public static func wire(_ data: UnsafePointer<UInt8>, _ size: Int, models: [ModelDefinition]) {
        let problems = WireCheck.problems(Array(UnsafeBufferPointer(start: data, count: size)), models: models)
        if !problems.isEmpty { fatalError(problems.joined(separator: "\n")) }
    }

    /// Checks one configuration file; traps on a violated property.
    public static func config(_ data: UnsafePointer<UInt8>, _ size: Int, scratchPath: String) {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        let problems = blocking { await ConfigCheck.problems(bytes, scratchPath: scratchPath) }
        if !problems.isEmpty { fatalError(problems.joined(separator: "\n")) }
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
