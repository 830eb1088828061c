import CZMQ

extension ZMQSocket {
    /// Makes this socket a CURVE server with `keyPair` (`ZMQ_CURVE_SERVER`, `ZMQ_CURVE_SECRETKEY`): peers must
    /// speak CURVE and know its public key; a NULL (plain-text) peer fails the handshake. Set before `bind`.
    /// Which client keys get in is decided by the ZAP handler of the context (see ``ZAPRequest``), if one is bound.
    public func makeCurveServer(keyPair: ZMQCurveKeyPair) throws(ZMQError) {
        try setOption(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: keyPair.secretKey.bytes, name: "ZMQ_CURVE_SECRETKEY")
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey`, authenticating with
    /// `keyPair` (`ZMQ_CURVE_SERVERKEY`, `ZMQ_CURVE_PUBLICKEY`, `ZMQ_CURVE_SECRETKEY`). Set before `connect`.
    public func makeCurveClient(keyPair: ZMQCurveKeyPair, serverKey: ZMQCurveKey) throws(ZMQError) {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: serverKey.bytes, name: "ZMQ_CURVE_SERVERKEY")
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: keyPair.publicKey.bytes, name: "ZMQ_CURVE_PUBLICKEY")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: keyPair.secretKey.bytes, name: "ZMQ_CURVE_SECRETKEY")
    }

    /// The ZAP domain sent with this socket's authentication requests (`ZMQ_ZAP_DOMAIN`), so one handler can
    /// tell sockets apart. Set before `bind`.
    public func setZAPDomain(_ domain: String) throws(ZMQError) {
        try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8), name: "ZMQ_ZAP_DOMAIN")
    }

    /// The security mechanism in use: `ZMQ_NULL` 0, `ZMQ_PLAIN` 1, `ZMQ_CURVE` 2 (`ZMQ_MECHANISM`).
    public var mechanism: Int32 {
        get throws(ZMQError) { try intOption(ZMQ_MECHANISM, name: "ZMQ_MECHANISM") }
    }
}
