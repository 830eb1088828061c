import CZMQ

extension ZMQSocket {
    /// Sets an `int` socket option (`zmq_setsockopt`), e.g. `ZMQ_CURVE_SERVER`; `name` is used in errors.
    public func setOption(_ option: Int32, _ value: Int32, name: String? = nil) throws(ZMQError) {
        let label = name ?? "option \(option)"
        let handle = try requireHandle("set \(label)=\(value) on")
        var value = value
        if zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) != 0 {
            throw ZMQError.last("set \(label)=\(value) on \(type) socket")
        }
    }

    /// Sets an `int64_t` socket option (only `ZMQ_MAXMSGSIZE` among the common ones).
    public func setOption(_ option: Int32, int64 value: Int64, name: String? = nil) throws(ZMQError) {
        let label = name ?? "option \(option)"
        let handle = try requireHandle("set \(label)=\(value) on")
        var value = value
        if zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) != 0 {
            throw ZMQError.last("set \(label)=\(value) on \(type) socket")
        }
    }

    /// Sets a binary socket option, e.g. `ZMQ_SUBSCRIBE` or a 32-byte `ZMQ_CURVE_SECRETKEY`.
    public func setOption(_ option: Int32, bytes: [UInt8], name: String? = nil) throws(ZMQError) {
        let label = name ?? "option \(option)"
        let handle = try requireHandle("set \(label) on")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        if rc != 0 { throw ZMQError.last("set \(label) (\(bytes.count) bytes) on \(type) socket") }
    }

    /// Reads an `int` socket option, e.g. `ZMQ_SNDHWM`, `ZMQ_EVENTS` or `ZMQ_FD` (on POSIX).
    public func intOption(_ option: Int32, name: String? = nil) throws(ZMQError) -> Int32 {
        let label = name ?? "option \(option)"
        let handle = try requireHandle("read \(label) of")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(handle, option, &value, &size) != 0 { throw ZMQError.last("read \(label) of \(type) socket") }
        return value
    }

    /// Messages queued per peer before sending drops (PUB) or blocks (PUSH); 0 = unlimited. Default 1000, which
    /// loses most of a fast burst: raise it on both ends. Set before `bind`/`connect` to apply to all peers.
    public func setSendHighWaterMark(_ messages: Int) throws(ZMQError) {
        try setOption(ZMQ_SNDHWM, Int32(clamping: messages), name: "ZMQ_SNDHWM")
    }

    /// Messages queued per peer on receipt before libzmq stops reading from it; 0 = unlimited. Default 1000.
    public func setReceiveHighWaterMark(_ messages: Int) throws(ZMQError) {
        try setOption(ZMQ_RCVHWM, Int32(clamping: messages), name: "ZMQ_RCVHWM")
    }

    /// SUB: receive messages whose first frame starts with `prefix` (empty = everything). Cumulative.
    public func subscribe(prefix: [UInt8]) throws(ZMQError) {
        try setOption(ZMQ_SUBSCRIBE, bytes: prefix, name: "ZMQ_SUBSCRIBE")
    }

    /// SUB: subscribe to topics starting with the UTF-8 bytes of `prefix`.
    public func subscribe(prefix: String) throws(ZMQError) {
        try subscribe(prefix: Array(prefix.utf8))
    }

    /// SUB: remove one earlier `subscribe` of exactly this prefix; takes effect locally at once.
    public func unsubscribe(prefix: [UInt8]) throws(ZMQError) {
        try setOption(ZMQ_UNSUBSCRIBE, bytes: prefix, name: "ZMQ_UNSUBSCRIBE")
    }

    /// SUB: remove one earlier `subscribe(prefix:)` of this string.
    public func unsubscribe(prefix: String) throws(ZMQError) {
        try unsubscribe(prefix: Array(prefix.utf8))
    }

    /// How long unsent messages are kept after `close()` (nil = until delivered); default here 0. The context's
    /// deinit waits for them, so a long linger toward a dead peer delays process exit by that long.
    public func setLinger(_ linger: Duration?) throws(ZMQError) {
        try setOption(ZMQ_LINGER, Self.milliseconds(linger), name: "ZMQ_LINGER")
    }

    /// Largest frame accepted from a peer, in bytes (nil = unlimited); libzmq checks each frame, not the whole
    /// message. A bigger frame is never delivered and its TCP connection is dropped (monitor: `.disconnected`).
    /// If the peer connected to us, it reconnects in ~0.1–0.2 s. If *we* connected, libzmq 4.3 counts it as a
    /// protocol error and does not reconnect: call `disconnect` and `connect` again. Set before `bind`/`connect`.
    public func setMaxMessageSize(_ bytes: Int?) throws(ZMQError) {
        try setOption(ZMQ_MAXMSGSIZE, int64: bytes.map { Int64($0) } ?? -1, name: "ZMQ_MAXMSGSIZE")
    }

    /// Blocking receives give up after `timeout` (returning nil); nil = wait forever (the default).
    public func setReceiveTimeout(_ timeout: Duration?) throws(ZMQError) {
        try setOption(ZMQ_RCVTIMEO, Self.milliseconds(timeout), name: "ZMQ_RCVTIMEO")
    }

    /// Blocking sends give up after `timeout` (returning false); nil = wait forever (the default).
    public func setSendTimeout(_ timeout: Duration?) throws(ZMQError) {
        try setOption(ZMQ_SNDTIMEO, Self.milliseconds(timeout), name: "ZMQ_SNDTIMEO")
    }

    /// The kernel receive buffer of each connection (`ZMQ_RCVBUF`, bytes; nil = the OS default). Set before connecting.
    public func setReceiveBufferSize(_ bytes: Int?) throws(ZMQError) {
        try setOption(ZMQ_RCVBUF, Int32(clamping: bytes ?? -1), name: "ZMQ_RCVBUF")
    }

    /// PUB/XPUB (`ZMQ_XPUB_NODROP`): when a matching subscriber's queue is at the send high-water mark, a send
    /// fails with EAGAIN (`send` returns false, so the caller can count it) instead of libzmq silently dropping the
    /// message for that subscriber only. The message then goes to no subscriber (libzmq checks all before sending).
    public func setNoDrop(_ noDrop: Bool) throws(ZMQError) {
        try setOption(ZMQ_XPUB_NODROP, noDrop ? 1 : 0, name: "ZMQ_XPUB_NODROP")
    }

    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`), not to peers still being connected.
    public func setImmediate(_ immediate: Bool) throws(ZMQError) {
        try setOption(ZMQ_IMMEDIATE, immediate ? 1 : 0, name: "ZMQ_IMMEDIATE")
    }

    /// Milliseconds for a libzmq `int` time option: nil → -1 (infinite), otherwise rounded up.
    static func milliseconds(_ duration: Duration?) -> Int32 {
        guard let duration else { return -1 }
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let millis = seconds.multipliedReportingOverflow(by: 1000)
        if millis.overflow { return Int32.max }
        let extra = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis.partialValue + extra)
    }
}
