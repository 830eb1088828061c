import CZMQ

/// Raw `zmq_setsockopt` option numbers for `ZMQSocket.setOption` / `intOption`, for options without a typed setter.
public enum ZMQOption {
    public static let sendHighWaterMark: Int32 = ZMQ_SNDHWM
    public static let receiveHighWaterMark: Int32 = ZMQ_RCVHWM
    public static let linger: Int32 = ZMQ_LINGER
    public static let receiveTimeout: Int32 = ZMQ_RCVTIMEO
    public static let sendTimeout: Int32 = ZMQ_SNDTIMEO
    public static let immediate: Int32 = ZMQ_IMMEDIATE
    public static let maxMessageSize: Int32 = ZMQ_MAXMSGSIZE
    public static let reconnectInterval: Int32 = ZMQ_RECONNECT_IVL
    public static let tcpKeepalive: Int32 = ZMQ_TCP_KEEPALIVE
    public static let events: Int32 = ZMQ_EVENTS
    /// `int`, 1 = this socket is a CURVE server.
    public static let curveServer: Int32 = ZMQ_CURVE_SERVER
    /// 32 bytes (or 40 Z85 characters).
    public static let curvePublicKey: Int32 = ZMQ_CURVE_PUBLICKEY
    /// 32 bytes (or 40 Z85 characters).
    public static let curveSecretKey: Int32 = ZMQ_CURVE_SECRETKEY
    /// 32 bytes (or 40 Z85 characters).
    public static let curveServerKey: Int32 = ZMQ_CURVE_SERVERKEY
    /// Bytes: the ZAP domain.
    public static let zapDomain: Int32 = ZMQ_ZAP_DOMAIN
}
