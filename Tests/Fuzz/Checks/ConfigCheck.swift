import PredictorEngine
import PredictorWire
import PredictordConfig

#if canImport(Glibc)
import Glibc
#endif

/// The properties every configuration file must satisfy, shared by the libFuzzer target `FuzzConfig` and the
/// corpus replay unit test: loading succeeds or throws `ConfigurationErrors` with key paths; an accepted
/// configuration renders (`check-config`) to YAML that loads back to the same configuration, and its models
/// take a first observation without trapping.
public enum ConfigCheck {
    /// Every violated property of the YAML `text`, written to `scratchPath` (the loader reads files).
    public static func problems(_ text: [UInt8], scratchPath: String) async -> [String] {
        guard write(text, to: scratchPath) else { return ["cannot write \(scratchPath)"] }
        let config: DaemonConfiguration
        do {
            config = try await ConfigurationLoader.load(path: scratchPath, environment: [:])
        } catch {
            return error.issues.isEmpty ? ["rejected without an issue: \(error)"] : []
        }
        var problems: [String] = []
        let rendered = ConfigurationRenderer.yaml(config)
        if write(Array(rendered.utf8), to: scratchPath) {
            do {
                let again = try await ConfigurationLoader.load(path: scratchPath, environment: [:])
                if again != config { problems.append("check-config output loads to a different configuration:\n\(rendered)") }
            } catch {
                problems.append("check-config output does not load: \(error)\n\(rendered)")
            }
        }
        var engine = PredictionEngine(models: config.models, limits: EngineLimits(maxContexts: 64))
        var out = OutboundPrediction(stream: "", model: "", prediction: .init())
        for model in config.models {
            for body in [InboundMessage.Body.observation(.series([1])), .observation(.symbol(0)), .reset] {
                try? engine.process(stream: model.match + "fuzz", message: InboundMessage(body: body, encoding: .json), now: 0, into: &out)
            }
        }
        return problems
    }

    /// Replaces the file at `path` with `bytes`.
    private static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}
