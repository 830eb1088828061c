import Configuration
import PredictorEngine
import Yams

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Loads the daemon configuration: `--set key=value` overrides, then `PREDICTORD_*` environment, then the YAML file.
public enum ConfigurationLoader {
    /// Resolves and validates the configuration at `path`, reporting every problem with its key path.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment, overrides: [String] = []
    ) async throws(ConfigurationErrors) -> DaemonConfiguration {
        // Read once: the values and the unknown-key check come from the same bytes.
        let text: String
        do {
            text = try readText(path)
        } catch {
            throw ConfigurationErrors(source: path, issues: [ConfigurationIssue(key: "(file)", message: "cannot read YAML: \(error)")])
        }
        return try parse(yaml: text, source: path, environment: environment, overrides: overrides)
    }

    /// Resolves and validates configuration text (`source` names it in errors): what ``load(path:environment:overrides:)``
    /// does with the file's contents, and how tools and tests turn YAML into a ``DaemonConfiguration``.
    public static func parse(
        yaml text: String, source: String, environment: [String: String] = [:], overrides: [String] = []
    ) throws(ConfigurationErrors) -> DaemonConfiguration {
        let fileProvider: YAMLTextProvider
        do {
            fileProvider = try YAMLTextProvider(text: text, source: source)
        } catch {
            throw ConfigurationErrors(source: source, issues: [ConfigurationIssue(key: "(file)", message: "cannot read YAML: \(error)")])
        }
        var issues: [ConfigurationIssue] = []
        var overrideValues: [AbsoluteConfigKey: ConfigValue] = [:]
        var overrideKeys: [String] = []
        for item in overrides {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                issues.append(ConfigurationIssue(key: "--set \(item)", message: "expected key=value, e.g. --set model.series.lambda=0.99"))
                continue
            }
            let key = String(item[..<eq])
            var value = String(item[item.index(after: eq)...])
            overrideKeys.append(key)
            if value.hasPrefix("["), value.hasSuffix("]") {
                value = String(value.dropFirst().dropLast())
                let list = value.split(separator: ",").map { $0.trimmingCharacters() }
                overrideValues[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(.stringArray(list), isSecret: false)
            } else {
                overrideValues[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(.string(value), isSecret: false)
            }
        }
        let prefixed = environment.filter { $0.key.hasPrefix("PREDICTORD_") }
        let env = EnvironmentVariablesProvider(environmentVariables: prefixed).prefixKeys(with: "predictord")
        let reader = ConfigReader(providers: [InMemoryProvider(name: "--set", values: overrideValues), env, fileProvider])
        var keys = KeyReader(reader: reader)
        var config = read(&keys, environment: environment)
        issues += keys.issues
        for key in (try? flattenedKeys(yaml: text)) ?? [] where !keys.knownKeys.contains(key) {
            issues.append(ConfigurationIssue(key: key, message: "unknown key (misspelt? see docs/configuration.md)"))
        }
        for key in overrideKeys where !keys.knownKeys.contains(key) {
            issues.append(ConfigurationIssue(key: key, message: "unknown key given with --set"))
        }
        guard issues.isEmpty else { throw ConfigurationErrors(source: source, issues: issues) }
        config.models.sort { $0.name < $1.name }
        return config
    }

    private static func read(_ keys: inout KeyReader, environment: [String: String]) -> DaemonConfiguration {
        var c = DaemonConfiguration()
        c.observations.bind = keys.strings("sockets.observations.bind", default: c.observations.bind)
        c.observations.connect = keys.strings("sockets.observations.connect", default: c.observations.connect)
        c.observations.subscribe = keys.strings("sockets.observations.subscribe", default: c.observations.subscribe)
        c.observations.receiveHighWaterMark = keys.int(
            "sockets.observations.receive_hwm", default: c.observations.receiveHighWaterMark, range: 0...Int(Int32.max))
        c.predictions.bind = keys.strings("sockets.predictions.bind", default: c.predictions.bind)
        c.predictions.sendHighWaterMark = keys.int(
            "sockets.predictions.send_hwm", default: c.predictions.sendHighWaterMark, range: 0...Int(Int32.max))
        c.predictions.lingerSeconds = keys.double("sockets.predictions.linger_seconds", default: c.predictions.lingerSeconds)
        if !(0...300).contains(c.predictions.lingerSeconds) {
            keys.fail("sockets.predictions.linger_seconds", "must be in 0…300 seconds (and below the unit's TimeoutStopSec=60 minus the final checkpoint's time)")
        }
        let policy = keys.string("sockets.predictions.slow_subscriber", default: c.predictions.slowSubscriber.rawValue)
        if let known = DaemonConfiguration.SlowSubscriberPolicy(rawValue: policy) {
            c.predictions.slowSubscriber = known
        } else {
            let names = DaemonConfiguration.SlowSubscriberPolicy.allCases.map(\.rawValue).joined(separator: " or ")
            keys.fail("sockets.predictions.slow_subscriber", "must be \(names), not '\(policy)'")
        }
        c.observations.curve = CurveServerConfiguration.read(socket: "sockets.observations", allowKey: "allowed_publishers", keys: &keys)
        c.predictions.curve = CurveServerConfiguration.read(socket: "sockets.predictions", allowKey: "allowed_subscribers", keys: &keys)
        if c.observations.bind.isEmpty && c.observations.connect.isEmpty {
            keys.fail("sockets.observations.bind", "set at least one bind or connect endpoint for observations")
        }
        if c.predictions.bind.isEmpty { keys.fail("sockets.predictions.bind", "set at least one endpoint, e.g. tcp://127.0.0.1:5557") }
        for (key, endpoints, binding) in [
            ("sockets.observations.bind", c.observations.bind, true), ("sockets.observations.connect", c.observations.connect, false),
            ("sockets.predictions.bind", c.predictions.bind, true),
        ] {
            for endpoint in endpoints { if let problem = EndpointSyntax.problem(endpoint, binding: binding) { keys.fail(key, problem) } }
        }
        c.limits.maxContexts = keys.int("limits.max_contexts", default: c.limits.maxContexts, range: 1...100_000_000)
        c.limits.idleTTLSeconds = keys.double("limits.idle_ttl_seconds", default: c.limits.idleTTLSeconds)
        c.limits.maxMessageBytes = keys.int("limits.max_message_bytes", default: c.limits.maxMessageBytes, range: 64...16_777_216)
        c.limits.maxTopicBytes = keys.int("limits.max_topic_bytes", default: c.limits.maxTopicBytes, range: 1...255)
        c.limits.maxVectorLength = keys.int("limits.max_vector_length", default: c.limits.maxVectorLength, range: 1...65_535)
        c.limits.maxContextsPerPrefix = keys.optionalInt("limits.max_contexts_per_prefix")
        if let perPrefix = c.limits.maxContextsPerPrefix, !(1...100_000_000).contains(perPrefix) {
            keys.fail("limits.max_contexts_per_prefix", "must be in 1...100000000, got \(perPrefix)")
        }
        if c.limits.idleTTLSeconds < 0 { keys.fail("limits.idle_ttl_seconds", "must be ≥ 0 (0 keeps idle contexts)") }
        c.state.directory = keys.string("state.directory", default: environment["STATE_DIRECTORY"] ?? c.state.directory)
        c.state.checkpointIntervalSeconds = keys.double("state.checkpoint_interval_seconds", default: c.state.checkpointIntervalSeconds)
        if c.state.checkpointIntervalSeconds < 0 { keys.fail("state.checkpoint_interval_seconds", "must be ≥ 0 (0 = only on shutdown)") }
        let journal = keys.string("state.journal", default: c.state.journal.rawValue)
        if let mode = DaemonConfiguration.JournalMode(rawValue: journal) {
            c.state.journal = mode
        } else {
            keys.fail("state.journal", "must be off, write or fsync, not '\(journal)'")
        }
        c.logging.level = keys.string("logging.level", default: c.logging.level)
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        if !levels.contains(c.logging.level) { keys.fail("logging.level", "must be one of \(levels.joined(separator: ", "))") }
        c.logging.statsIntervalSeconds = keys.double("logging.stats_interval_seconds", default: c.logging.statsIntervalSeconds)
        if !(c.logging.statsIntervalSeconds >= 0.1) {
            keys.fail("logging.stats_interval_seconds", "must be a number ≥ 0.1 seconds (the stats entry cannot be turned off), got \(c.logging.statsIntervalSeconds)")
        }
        c.logging.format = keys.string("logging.format", default: c.logging.format)
        if !["text", "json"].contains(c.logging.format) {
            keys.fail("logging.format", "must be text or json, not '\(c.logging.format)' (json: one JSON object per line on standard error)")
        }
        c.http = HTTPConfiguration.read(&keys)

        let names = keys.strings("models", default: [])
        if names.isEmpty { keys.fail("models", "list at least one model name, each configured under model.<name>") }
        var seenNames = Set<String>()
        var seenMatches: [String: String] = [:]
        for name in names {
            guard seenNames.insert(name).inserted else { keys.fail("models", "model '\(name)' is listed twice"); continue }
            guard let model = ModelSpecReader.read(name: name, keys: &keys) else { continue }
            if let other = seenMatches[model.match] {
                keys.fail("model.\(name).match", "prefix '\(model.match)' is already used by model '\(other)'; each prefix serves one model")
            }
            seenMatches[model.match] = name
            c.models.append(model)
        }
        return c
    }

    /// The file's text, by one open and reads to the end (a FIFO works; errors say the errno's reason, not
    /// Foundation's error domain).
    private static func readText(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadFailure(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw ReadFailure(reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ReadFailure(reason: "the file is not UTF-8 text") }
        return text
    }

    /// Why the file could not be read, as one line.
    private struct ReadFailure: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Every leaf key of a YAML mapping as a dotted path (lists are leaves).
    static func flattenedKeys(yaml: String) throws -> [String] {
        guard let root = try Yams.compose(yaml: yaml) else { return [] }
        var out: [String] = []
        func walk(_ node: Node, _ path: String) {
            if let mapping = node.mapping {
                for (k, v) in mapping {
                    let name = k.string ?? ""
                    walk(v, path.isEmpty ? name : "\(path).\(name)")
                }
            } else {
                out.append(path)
            }
        }
        walk(root, "")
        return out
    }
}
