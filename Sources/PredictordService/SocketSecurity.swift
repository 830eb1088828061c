import Logging
import PredictorEngine
import PredictordConfig
import PredictordLogging
import ZeroMQ

/// CURVE on the daemon's observation and prediction sockets: server keys and ZAP domains before they bind, the ZAP
/// handler, and a monitor that counts and logs clients failing the handshake (plain text, wrong server key).
/// Also warns at start about endpoints other hosts can reach without CURVE. Poll-thread confined.
final class SocketSecurity {
    static let observationsDomain = "predictord.observations"
    static let predictionsDomain = "predictord.predictions"
    /// Counter reason for a client that failed the CURVE handshake before any key check.
    static let handshakeReason = "curve_handshake_failed"

    private let config: DaemonConfiguration
    private let logger: Logger
    private let authenticator: ZAPAuthenticator?
    private var monitors: [(key: String, monitor: ZMQMonitor)] = []
    private var limiter = RateLimiter(burst: 10, interval: 10)

    /// Logs the exposure warnings and, when any socket uses CURVE, binds the ZAP handler (before those sockets bind).
    init(config: DaemonConfiguration, context: ZMQContext, logger: Logger) throws {
        self.config = config
        self.logger = logger
        for (key, endpoint) in config.exposedPlainTextEndpoints {
            let side = key.contains("observations")
                ? "anyone who can reach it may publish observations (curve_secret_key_file + allowed_publishers)"
                : "anyone who can reach it may read every prediction (curve_secret_key_file + allowed_subscribers)"
            logger.warning("\(key) \(endpoint) is reachable from other hosts and CURVE is off: \(side). Enable CURVE with predictord keygen and those keys under \(key.replacingOccurrences(of: ".bind", with: "")) (docs/operations.md, \"Securing predictord\"), or bind 127.0.0.1", metadata: [
                "endpoint": "\(endpoint)", "config_key": "\(key)",
            ])
        }
        var policies: [String: ZAPAuthenticator.Policy] = [:]
        if let curve = config.observations.curve {
            policies[Self.observationsDomain] = Self.policy(curve, key: "sockets.observations.allowed_publishers")
        }
        if let curve = config.predictions.curve {
            policies[Self.predictionsDomain] = Self.policy(curve, key: "sockets.predictions.allowed_subscribers")
        }
        authenticator = policies.isEmpty ? nil : try ZAPAuthenticator(context: context, policies: policies, logger: logger)
    }

    private static func policy(_ curve: CurveServerConfiguration, key: String) -> ZAPAuthenticator.Policy {
        var allowed: [ZMQCurveKey: String] = [:]
        for entry in curve.allowed { allowed[entry.key] = entry.file }
        return ZAPAuthenticator.Policy(allowListKey: key, allowed: allowed)
    }

    /// Takes the allow-lists of a reloaded configuration for new connections (connected clients stay connected).
    /// Server keys and turning CURVE on or off need a restart; a change there is logged and otherwise ignored.
    func reloadAllowLists(from fresh: DaemonConfiguration) {
        let sockets = [
            ("sockets.observations", config.observations.curve, fresh.observations.curve, Self.observationsDomain, "allowed_publishers"),
            ("sockets.predictions", config.predictions.curve, fresh.predictions.curve, Self.predictionsDomain, "allowed_subscribers"),
        ]
        for (key, running, wanted, domain, allowKey) in sockets {
            guard let running, let wanted, running.keyPair == wanted.keyPair else {
                if running?.keyPair != wanted?.keyPair {
                    logger.warning("SIGHUP: CURVE settings of \(key) changed (turned on or off, or another server key); restart predictord to apply them", metadata: ["config_key": "\(key)"])
                }
                continue
            }
            let policy = Self.policy(wanted, key: "\(key).\(allowKey)")
            authenticator?.policies[domain] = policy
            logger.notice("SIGHUP: \(key).\(allowKey) reloaded: \(policy.allowed.count) key(s) for new connections; clients already connected stay connected until they reconnect", metadata: [
                "config_key": "\(key).\(allowKey)", "keys": "\(policy.allowed.count)",
            ])
        }
    }

    /// Makes the sockets CURVE servers as configured; call before they bind.
    func secure(observations: ZMQSocket, predictions: ZMQSocket) throws {
        for (socket, curve, domain, key) in [
            (observations, config.observations.curve, Self.observationsDomain, "sockets.observations"),
            (predictions, config.predictions.curve, Self.predictionsDomain, "sockets.predictions"),
        ] {
            guard let curve else { continue }
            try socket.makeCurveServer(keyPair: curve.keyPair)
            try socket.setZAPDomain(domain)
            monitors.append((key, try socket.monitor(events: [.handshakeFailedProtocol, .handshakeFailedNoDetail])))
            logger.notice("CURVE on \(key): server public key \(curve.keyPair.publicKey.z85), \(curve.allowed.count) allowed client key(s)", metadata: [
                "secret_key_file": "\(curve.secretKeyFile)", "server_key": "\(curve.keyPair.publicKey.z85)",
            ])
        }
    }

    /// Adds the ZAP and monitor sockets to the poll set, so a handshake wakes the loop.
    func register(in poller: ZMQPoller) {
        if let authenticator { poller.add(authenticator.socket) }
        for (_, monitor) in monitors { poller.add(monitor.socket) }
    }

    /// Answers waiting ZAP requests and accounts for failed handshakes; never blocks.
    func serve(now: Double, counters: inout DropCounts) {
        do {
            try authenticator?.serve(now: now, counters: &counters)
            for (key, monitor) in monitors {
                while let event = try monitor.receive(dontWait: true) {
                    counters.count(Self.handshakeReason)
                    logHandshakeFailure(event, socket: key, now: now)
                }
            }
        } catch {
            if !error.isTerminated { logger.error("CURVE authentication: \(error)") }
        }
    }

    private func logHandshakeFailure(_ event: ZMQSocketEvent, socket: String, now: Double) {
        let admission = limiter.admit(key: Self.handshakeReason, now: now)
        guard admission.isAdmitted else { return }
        let cause: String
        switch (event.kind, event.value) {
        case (.handshakeFailedProtocol, 0x1100_0002):
            cause = "the client does not use CURVE (plain text); give it a key pair and the server public key"
        case (.handshakeFailedProtocol, 0x1100_0001):
            cause = "cryptographic error: the client uses a wrong server public key"
        case (.handshakeFailedProtocol, _):
            cause = "protocol error 0x\(String(event.value, radix: 16))"
        default:
            // Both ends detect a mechanism mismatch; when the client closes first the server sees only the close.
            cause = "the connection closed mid-handshake (errno \(event.value)): a client without CURVE or with a wrong server public key"
        }
        var metadata: Logger.Metadata = ["reason": "\(Self.handshakeReason)", "endpoint": "\(event.endpoint)", "config_key": "\(socket)"]
        if admission.suppressed > 0 { metadata["suppressed"] = "\(admission.suppressed)" }
        logger.warning("refused a client on \(socket) \(event.endpoint): CURVE handshake failed, \(cause)\(admission.note)", metadata: metadata)
    }
}
