import ArgumentParser
import Foundation
import PredictordConfig
import ZeroMQ

/// `predictord keygen`: writes a CURVE key pair for the daemon or for one of its clients.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a CURVE key pair: DIR/NAME.key (secret, mode 0600) and DIR/NAME.pub (public).",
        discussion: """
            Both files use CZMQ's certificate format (pyzmq: zmq.auth.load_certificate reads them). Give the daemon's \
            NAME.key to sockets.*.curve_secret_key_file and its NAME.pub to clients (publish/tail --server-key); put \
            each client's NAME.pub in the daemon's allowed_publishers / allowed_subscribers. See docs/operations.md.
            """
    )

    @Option(help: ArgumentHelp("Where to write: DIR/NAME makes DIR/NAME.key and DIR/NAME.pub (DIR is created, mode 0700).", valueName: "DIR/NAME"))
    var out: String

    @Flag(help: "Replace an existing pair (every peer that used the old one is locked out).")
    var force = false

    func validate() throws {
        guard !out.isEmpty, !out.hasSuffix("/") else { throw ValidationError("--out must be DIR/NAME, e.g. /etc/predictord/keys/server") }
    }

    func run() throws {
        guard ZMQCurveKeyPair.isSupported else {
            throw CommandFailure("this libzmq was built without CURVE (zmq_has(\"curve\") is false); install a libzmq built with libsodium")
        }
        let directory = (out as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let pair = try ZMQCurveKeyPair.generate()
        let name = (out as NSString).lastPathComponent
        let paths = try CurveKeyFile.write(pair, base: out, force: force, comment: ["predictord keygen: \(name)"])
        print("secret key: \(paths.secret) (mode 0600; keep it private)")
        print("public key: \(paths.public) \(pair.publicKey.z85)")
    }
}
