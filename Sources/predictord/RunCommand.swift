import ArgumentParser
import Foundation
import Logging
import PredictordConfig
import PredictordHTTP
import PredictordLogging
import PredictordService
import PredictordTelemetry
import ServiceLifecycle

/// `predictord run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: subscribe to observations, publish predictions, checkpoint fast and slow memory."
    )

    @Option(help: "Configuration file (YAML).")
    var config: String = "Config/predictord.yaml"

    @Option(name: .customLong("set"), help: "Override a configuration key, e.g. --set state.directory=/tmp/s (repeatable).")
    var overrides: [String] = []

    func run() async throws {
        // Until the daemon traps SIGHUP itself (before the restore), a reload request must not kill it.
        signal(SIGHUP, SIG_IGN)
        let loaded = try await ConfigInput.load(config, overrides: overrides)
        let level = Logger.Level(rawValue: loaded.logging.level) ?? .info
        // Under systemd (it sets INVOCATION_ID and JOURNAL_STREAM) log to the journal; run by hand, to stderr.
        let environment = ProcessInfo.processInfo.environment
        let underSystemd = environment["INVOCATION_ID"] != nil || environment["JOURNAL_STREAM"] != nil
        LoggingSetup(identifier: "predictord", level: level, destination: underSystemd ? .automatic : .stderr,
                     json: loaded.logging.format == "json").bootstrap()
        let logger = Logger(label: "predictord")
        // With http.listen, the HTTP endpoint runs beside the daemon, fed only through the hub. Listed after the
        // daemon, it is shut down first; a failure of either (a port in use) stops both.
        let hub = loaded.http.listen == nil ? nil : TelemetryHub()
        let daemon = PredictordDaemon(configPath: config, overrides: overrides, config: loaded, logger: logger, telemetry: hub)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: daemon, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let hub {
            let http = PredictordHTTPServer(config: loaded.http, hub: hub, version: PredictordVersion.current, logger: logger)
            services.append(.init(service: http, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
