import ArgumentParser
import PredictordConfig
import ZeroMQ

/// `--curve-key` / `--server-key` for the client commands (`publish`, `tail`) to talk to a daemon with CURVE on.
struct ClientCurveOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This client's secret key file (NAME.key from predictord keygen); its NAME.pub must be on the daemon's allow-list.", valueName: "FILE"))
    var curveKey: String?

    @Option(help: ArgumentHelp("The daemon's public key: its NAME.pub file, or the 40-character Z85 key.", valueName: "FILE|KEY"))
    var serverKey: String?

    func validate() throws {
        if (curveKey == nil) != (serverKey == nil) {
            throw ValidationError("give both --curve-key (this client's NAME.key) and --server-key (the daemon's NAME.pub), or neither")
        }
    }

    /// Whether CURVE was asked for.
    var isEnabled: Bool { curveKey != nil }

    /// Makes `socket` a CURVE client of the daemon when the options ask for it; call before `connect`.
    func apply(to socket: ZMQSocket) throws {
        guard let curveKey, let serverKey else { return }
        do {
            let pair = try CurveKeyFile.loadKeyPair(curveKey)
            let server = serverKey.utf8.count == ZMQCurveKey.z85Count && !serverKey.contains("/")
                ? try ZMQCurveKey(z85: serverKey) : try CurveKeyFile.loadPublicKey(serverKey)
            try socket.makeCurveClient(keyPair: pair, serverKey: server)
        } catch let error as CurveKeyFile.Failure {
            throw CommandFailure(error.description)
        }
    }

    /// A hint to append when the daemon does not answer.
    var refusalHint: String {
        isEnabled
            ? "; with CURVE: is this client's public key on the daemon's allow-list, and is --server-key the daemon's public key?"
            : "; if the daemon uses CURVE, pass --curve-key and --server-key"
    }
}
