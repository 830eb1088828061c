import ArgumentParser
import PredictordConfig

/// `predictord check-config`: validate a configuration and print it resolved, or every error with its key path.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file; print the resolved configuration or every error with its key path."
    )

    @Argument(help: "Configuration file (YAML).")
    var path: String = "Config/predictord.yaml"

    @Option(name: .customLong("set"), help: "Override a configuration key, e.g. --set limits.max_contexts=1000 (repeatable).")
    var overrides: [String] = []

    func run() async throws {
        try FileInput.requireReadable(path, what: "configuration", hint: "give the configuration's path; the bundled default is Config/predictord.yaml")
        do {
            let config = try await ConfigurationLoader.load(path: path, overrides: overrides)
            print(ConfigurationRenderer.yaml(config), terminator: "")
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
    }
}
