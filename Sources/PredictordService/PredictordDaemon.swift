import Foundation
import Logging
import PredictordConfig
import ServiceLifecycle
import UnixSignals
import Systemd
import ZeroMQ
import PredictordTelemetry

/// The daemon as a swift-service-lifecycle `Service`: starts the poll thread, reports to systemd, reloads on
/// SIGHUP and, on graceful shutdown (SIGTERM/SIGINT), stops the loop, which writes the final checkpoint.
public struct PredictordDaemon: Service {
    public let configPath: String
    public let overrides: [String]
    public let config: DaemonConfiguration
    public let logger: Logger
    /// What the poll loop feeds the HTTP endpoint; nil without one.
    public let telemetry: TelemetryHub?
    private let notifier = SystemdNotifier()

    public init(configPath: String, overrides: [String], config: DaemonConfiguration, logger: Logger, telemetry: TelemetryHub? = nil) {
        self.telemetry = telemetry
        self.configPath = configPath
        self.overrides = overrides
        self.config = config
        self.logger = logger
    }

    /// Events the poll thread reports back to the async world.
    private enum LoopEvent: Sendable {
        case started
        case failed(String)
        case finished
    }

    public func run() async throws {
        let context = try ZMQContext()
        let health = DaemonHealth()
        let control = DaemonControl()
        // Trap SIGHUP before the (possibly long) restore: its default action would kill the starting daemon
        // (`systemctl reload` during start). A SIGHUP before READY is remembered and applied right after it.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let gate = HangupGate()
        let hangupTask = Task { await reloadOnHangup(hangups, gate: gate, control: control) }
        defer { hangupTask.cancel() }
        logger.info("starting: restoring state and binding sockets", metadata: ["state_directory": "\(config.state.directory)"])
        let (events, continuation) = AsyncStream<LoopEvent>.makeStream()
        let config = self.config, logger = self.logger, telemetry = self.telemetry
        let thread = Thread {
            // The kernel's thread name (comm: top -H, perf, predictord-bench's per-thread CPU), set from inside:
            // Foundation's Thread.name did not reliably reach it on Linux (pthread_setname_np is not imported).
            try? "predictord-poll".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            do {
                let loop = try PollLoop(config: config, context: context, health: health, control: control, logger: logger,
                                        telemetry: telemetry)
                // A first heartbeat now: the watchdog's first check comes right after READY, before the loop's
                // first iteration (up to one 100 ms poll later), and must not see "no heartbeat yet" as stale.
                health.beat(now: .now)
                continuation.yield(.started)
                loop.run()
            } catch {
                continuation.yield(.failed("\(error)"))
            }
            continuation.yield(.finished)
            continuation.finish()
        }
        thread.start()

        var iterator = events.makeAsyncIterator()
        if case let .failed(message) = await iterator.next() {
            throw DaemonStartupError(message: message)
        }
        notifier.ready()
        if gate.open() { await reload(control: control, deferred: true) }
        logger.notice("predictord ready", metadata: [
            "config": "\(configPath)", "models": "\(config.models.map(\.name).joined(separator: ","))",
            "state_directory": "\(config.state.directory)",
        ])

        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await watchdog(health: health) }
                while let event = await iterator.next() {
                    if case .finished = event { break }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            notifier.stopping()
            logger.notice("shutdown requested")
            // Not `context.shutdown()`: that would fail the sends of observations already absorbed.
            control.send(.stop)
        }
    }

    /// Sends WATCHDOG=1 at half the configured interval, but only while the poll loop's heartbeat is fresh,
    /// and STATUS= with the live figures.
    private func watchdog(health: DaemonHealth) async {
        let interval = notifier.watchdogInterval
        let period = interval.map { $0 / 2 } ?? .seconds(5)
        while !Task.isCancelled {
            if let interval {
                if health.isFresh(now: .now, maxAge: interval / 2) {
                    notifier.watchdog()
                } else {
                    logger.error("poll loop heartbeat is stale; withholding WATCHDOG=1 so systemd can restart the service")
                }
            }
            _ = notifier.status(health.status)
            try? await Task.sleep(for: period)
        }
    }

    /// Re-reads the configuration on each SIGHUP once the daemon is ready; before that, only notes it in `gate`.
    private func reloadOnHangup(_ hangups: UnixSignalsSequence, gate: HangupGate, control: DaemonControl) async {
        for await _ in hangups {
            if gate.deferUnlessOpen() {
                logger.notice("SIGHUP during start-up (restoring state, binding sockets): reload deferred until the daemon is ready")
                continue
            }
            await reload(control: control, deferred: false)
        }
    }

    /// Re-reads the configuration; a valid one replaces the model definitions for new contexts.
    private func reload(control: DaemonControl, deferred: Bool) async {
        notifier.notify("RELOADING=1")
        do {
            let fresh = try await ConfigurationLoader.load(path: configPath, overrides: overrides)
            control.send(.reload(fresh.models))
            control.send(.reloadAllowLists(fresh))
            logger.notice("SIGHUP: configuration re-read\(deferred ? " (deferred from start-up)" : "")", metadata: ["config": "\(configPath)"])
            let ignored = config.sectionsNeedingRestart(toApply: fresh)
            if !ignored.isEmpty {
                logger.warning("SIGHUP applies only the models section and the CURVE allow-lists; changes to \(ignored.joined(separator: ", ")) take effect after `systemctl restart predictord`")
            }
        } catch {
            logger.error("SIGHUP: configuration rejected, keeping the running models: \(error.description)")
        }
        notifier.ready()
    }
}

/// The daemon could not start (a socket would not bind, the state directory is unusable, …).
public struct DaemonStartupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "predictord could not start: \(message)" }
}
