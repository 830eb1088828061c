import PredictordConfig

/// Loads the configuration a command is given; a missing or unreadable file is one line naming it, and an invalid
/// configuration lists every error with its key path, both as a runtime failure (exit 1, no usage text).
enum ConfigInput {
    static let hint = "pass --config PATH; the bundled default is Config/predictord.yaml"

    static func load(_ path: String, overrides: [String], hint: String = hint) async throws -> DaemonConfiguration {
        try FileInput.requireReadable(path, what: "configuration", hint: hint)
        do {
            return try await ConfigurationLoader.load(path: path, overrides: overrides)
        } catch {
            throw CommandFailure(error.description)
        }
    }
}
