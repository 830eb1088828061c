import Logging
import PredictorEngine
import PredictordConfig
import PredictordLogging
import ZeroMQ

/// The daemon's ZAP handler: a REP socket on `inproc://zeromq.zap.01` that admits a CURVE client only when its
/// public key is on the allow-list of the socket it connects to (told apart by ZAP domain), and refuses and logs
/// every other request. Confined to the poll thread like every other socket of the daemon.
final class ZAPAuthenticator {
    /// The allow-list of one daemon socket.
    struct Policy {
        /// The config key of the allow-list, named in refusals.
        var allowListKey: String
        /// Allowed key → the file it came from.
        var allowed: [ZMQCurveKey: String]
    }

    /// Counter reason for a refused client key (and for malformed or foreign requests).
    static let refusedReason = "curve_key_refused"

    let socket: ZMQSocket
    /// Allow-lists by ZAP domain; replaced on SIGHUP (``SocketSecurity/reloadAllowLists(from:)``).
    var policies: [String: Policy]
    private let logger: Logger
    private var limiter = RateLimiter(burst: 10, interval: 10)

    /// Binds the handler; must happen before any CURVE socket binds, or libzmq admits every client unasked.
    init(context: ZMQContext, policies: [String: Policy], logger: Logger) throws(ZMQError) {
        socket = try ZMQSocket(context: context, type: .rep)
        try socket.bind(ZAPRequest.endpoint)
        self.policies = policies
        self.logger = logger
    }

    /// Answers every waiting request without blocking; refusals are counted in `counters` and logged (rate-limited).
    func serve(now: Double, counters: inout DropCounts) throws(ZMQError) {
        while let frames = try socket.receive(dontWait: true) {
            let reply = decide(ZAPRequest(frames: frames), frames: frames, now: now, counters: &counters)
            try socket.send(frames: reply)
        }
    }

    /// The reply frames for one request (a REP socket must answer every request, even a malformed one).
    private func decide(_ request: ZAPRequest?, frames: [[UInt8]], now: Double, counters: inout DropCounts) -> [[UInt8]] {
        guard let request else {
            counters.count(Self.refusedReason)
            log("malformed ZAP request of \(frames.count) frame(s) refused", metadata: [:], now: now)
            // Echo the request id when there is one, so libzmq can match the reply.
            let id = frames.count > 1 ? frames[1] : []
            return ZAPReply(requestID: id, statusCode: "500", statusText: "malformed ZAP request").frames
        }
        var metadata: Logger.Metadata = ["zap_domain": "\(request.domain)", "address": "\(request.address)", "mechanism": "\(request.mechanism)"]
        guard let policy = policies[request.domain] else {
            counters.count(Self.refusedReason)
            log("refused a connection from \(request.address): unknown ZAP domain '\(request.domain)'", metadata: metadata, now: now)
            return request.reply(accept: false, statusText: "unknown domain").frames
        }
        guard let key = request.curvePublicKey else {
            counters.count(Self.refusedReason)
            log("refused a \(request.mechanism) client at \(request.address): only CURVE clients with an allowed key may connect (\(policy.allowListKey))",
                metadata: metadata, now: now)
            return request.reply(accept: false, statusText: "CURVE required").frames
        }
        metadata["client_key"] = "\(key.z85)"
        guard let file = policy.allowed[key] else {
            counters.count(Self.refusedReason)
            log("refused CURVE client \(key.z85) at \(request.address): its public key is not in \(policy.allowListKey); add its NAME.pub there and restart to let it in",
                metadata: metadata, now: now)
            return request.reply(accept: false, statusText: "key not allowed").frames
        }
        logger.debug("admitted CURVE client \(key.z85) at \(request.address)", metadata: metadata.merging(["key_file": "\(file)"]) { $1 })
        return request.reply(accept: true, statusText: "OK", userID: file).frames
    }

    private func log(_ message: String, metadata: Logger.Metadata, now: Double) {
        let admission = limiter.admit(key: Self.refusedReason, now: now)
        guard admission.isAdmitted else { return }
        var metadata = metadata
        metadata["reason"] = "\(Self.refusedReason)"
        if admission.suppressed > 0 { metadata["suppressed"] = "\(admission.suppressed)" }
        logger.warning("\(message)\(admission.note)", metadata: metadata)
    }
}
