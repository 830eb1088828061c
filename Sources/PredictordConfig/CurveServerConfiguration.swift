import ZeroMQ

/// CURVE on one daemon socket: its server key pair and the client public keys allowed in, read from key files.
public struct CurveServerConfiguration: Sendable, Equatable {
    /// One allowed client key and the file it came from (named in logs).
    public struct AllowedKey: Sendable, Equatable {
        public var key: ZMQCurveKey
        public var file: String
        public init(key: ZMQCurveKey, file: String) {
            self.key = key
            self.file = file
        }
    }

    /// The `NAME.key` file the pair was read from.
    public var secretKeyFile: String
    public var keyPair: ZMQCurveKeyPair
    /// The allow-list entries as configured (files or directories of `*.pub`).
    public var allowPaths: [String]
    /// Every key they hold.
    public var allowed: [AllowedKey]

    public init(secretKeyFile: String, keyPair: ZMQCurveKeyPair, allowPaths: [String], allowed: [AllowedKey]) {
        self.secretKeyFile = secretKeyFile
        self.keyPair = keyPair
        self.allowPaths = allowPaths
        self.allowed = allowed
    }

    /// Reads `<socket>.curve_secret_key_file` and `<socket>.<allowKey>`; nil when CURVE is off for the socket.
    static func read(socket: String, allowKey: String, keys: inout KeyReader) -> CurveServerConfiguration? {
        let secretKey = "\(socket).curve_secret_key_file", allowListKey = "\(socket).\(allowKey)"
        let secretFile = keys.raw(secretKey)
        let allowPaths = keys.strings(allowListKey, default: [])
        guard let secretFile, !secretFile.isEmpty else {
            if !allowPaths.isEmpty { keys.fail(allowListKey, "has no effect without \(secretKey); set it to the daemon's NAME.key to enable CURVE") }
            return nil
        }
        guard ZMQCurveKeyPair.isSupported else {
            keys.fail(secretKey, "this libzmq was built without CURVE (zmq_has(\"curve\") is false); install a libzmq built with libsodium")
            return nil
        }
        var pair: ZMQCurveKeyPair?
        do { pair = try CurveKeyFile.loadKeyPair(secretFile) } catch { keys.fail(secretKey, error.description) }
        guard !allowPaths.isEmpty else {
            keys.fail(allowListKey, "list the allowed client public keys (NAME.pub files or directories of them); with CURVE on, nobody else gets in")
            return nil
        }
        var allowed: [AllowedKey] = []
        for (index, path) in allowPaths.enumerated() {
            do {
                allowed += try CurveKeyFile.loadAllowed(path).map { AllowedKey(key: $0.key, file: $0.file) }
            } catch {
                keys.fail("\(allowListKey)[\(index)]", error.description)
            }
        }
        guard let pair else { return nil }
        return CurveServerConfiguration(secretKeyFile: secretFile, keyPair: pair, allowPaths: allowPaths, allowed: allowed)
    }
}
