import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One ZeroMQ socket. Not thread safe and not Sendable: create, use and drop it on one thread (the poll thread).
/// Closed by `close()` or when the last reference goes away; linger defaults to 0 (unsent messages are dropped).
public final class ZMQSocket {
    /// The context this socket belongs to; kept alive for as long as the socket exists.
    public let context: ZMQContext
    /// The socket pattern it was created with.
    public let type: ZMQSocketType
    private var handle: UnsafeMutableRawPointer?

    /// Creates a socket (`zmq_socket`) and sets `ZMQ_LINGER` to 0 so that closing never blocks.
    public init(context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("create \(type) socket")
        }
        self.context = context
        self.type = type
        self.handle = handle
        try setLinger(.zero)
    }

    deinit {
        if let handle { zmq_close(handle) }
    }

    /// Closes the socket (`zmq_close`); further calls fail with `ENOTSOCK`. Idempotent.
    public func close() {
        if let handle { zmq_close(handle) }
        handle = nil
    }

    /// Whether `close()` was called.
    public var isClosed: Bool { handle == nil }

    /// The raw `void *` for libzmq calls this wrapper does not cover; valid until `close()`. Nil once closed.
    public var rawHandle: UnsafeMutableRawPointer? { handle }

    func requireHandle(_ operation: String, endpoint: String? = nil) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation, endpoint: endpoint) }
        return handle
    }

    // MARK: Endpoints

    /// Binds to `endpoint` (`tcp://127.0.0.1:5556`, `tcp://*:5556`, `tcp://127.0.0.1:*` for any free port, `ipc://…`).
    public func bind(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("bind", endpoint: endpoint)
        if zmq_bind(handle, endpoint) != 0 { throw ZMQError.last("bind", endpoint: endpoint) }
    }

    /// Connects to `endpoint`; succeeds before the peer exists (libzmq reconnects in the background).
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("connect", endpoint: endpoint)
        if zmq_connect(handle, endpoint) != 0 { throw ZMQError.last("connect", endpoint: endpoint) }
    }

    /// Stops listening on an endpoint given to `bind` (use `lastEndpoint` for wildcard binds).
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("unbind", endpoint: endpoint)
        if zmq_unbind(handle, endpoint) != 0 { throw ZMQError.last("unbind", endpoint: endpoint) }
    }

    /// Drops a connection made by `connect`.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("disconnect", endpoint: endpoint)
        if zmq_disconnect(handle, endpoint) != 0 { throw ZMQError.last("disconnect", endpoint: endpoint) }
    }

    /// The endpoint last bound or connected, resolved (`ZMQ_LAST_ENDPOINT`), e.g. `tcp://127.0.0.1:41234` after
    /// binding `tcp://127.0.0.1:*`; empty when there was none.
    public var lastEndpoint: String {
        get throws(ZMQError) {
            let handle = try requireHandle("read ZMQ_LAST_ENDPOINT of")
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            if zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) != 0 {
                throw ZMQError.last("read ZMQ_LAST_ENDPOINT of socket")
            }
            let bytes = buffer.prefix(size).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    // MARK: Sending

    /// Sends one frame (copied), with `ZMQ_SNDMORE` when `more`. Returns false when it was not queued because the
    /// socket would block (`dontWait`) or the send timeout expired. PUB sockets never block: past the high-water
    /// mark they drop silently and still return true.
    @discardableResult
    public func sendFrame(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try requireHandle("send on")
        var flags: Int32 = 0
        if more { flags |= ZMQ_SNDMORE }
        if dontWait { flags |= ZMQ_DONTWAIT }
        while true {
            if zmq_send(handle, bytes.baseAddress, bytes.count, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN { return false }
            throw ZMQError(code: code, operation: "send on \(type) socket")
        }
    }

    /// Sends the two-frame message `[topic][payload]` atomically. Returns false when nothing was queued (would
    /// block with `dontWait`, or send timeout); once the topic frame is queued the payload always follows.
    @discardableResult
    public func send(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, dontWait: Bool = false) throws(ZMQError) -> Bool {
        guard try sendFrame(topic, more: true, dontWait: dontWait) else { return false }
        // libzmq admits the remaining parts of a started multipart message without checking the high-water mark,
        // so this does not block; a false here would leave a half-sent message, hence the error.
        guard try sendFrame(payload, more: false, dontWait: false) else {
            throw ZMQError(code: EAGAIN, operation: "send the payload frame after its topic frame on \(type) socket")
        }
        return true
    }

    /// Sends `[topic][payload]`; see `send(topic:payload:dontWait:)` for buffers.
    @discardableResult
    public func send(topic: [UInt8], payload: [UInt8], dontWait: Bool = false) throws(ZMQError) -> Bool {
        let result: Result<Bool, ZMQError> = topic.withUnsafeBytes { topic in
            payload.withUnsafeBytes { payload in
                Result { () throws(ZMQError) -> Bool in try send(topic: topic, payload: payload, dontWait: dontWait) }
            }
        }
        return try result.get()
    }

    /// Sends `[topic as UTF-8][payload]`.
    @discardableResult
    public func send(topic: String, payload: [UInt8], dontWait: Bool = false) throws(ZMQError) -> Bool {
        try send(topic: Array(topic.utf8), payload: payload, dontWait: dontWait)
    }

    /// Sends a message of any number of frames (at least one). Returns false when nothing was queued.
    @discardableResult
    public func send(frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for (index, frame) in frames.enumerated() {
            let isLast = index == frames.count - 1
            let result: Result<Bool, ZMQError> = frame.withUnsafeBytes { bytes in
                Result { () throws(ZMQError) -> Bool in
                    try sendFrame(bytes, more: !isLast, dontWait: index == 0 ? dontWait : false)
                }
            }
            let sent = try result.get()
            if !sent {
                if index == 0 { return false }
                throw ZMQError(code: EAGAIN, operation: "send frame \(index) of a multipart message on \(type) socket")
            }
        }
        return true
    }

    // MARK: Receiving

    /// Receives one whole message without copying: the first `maxFrames` frames stay in libzmq's buffers and are
    /// lent to `body`; further frames are received and discarded but counted (`frames.count`), so a caller can
    /// reject messages with the wrong number of frames. Returns nil when no message is waiting (`dontWait`) or the
    /// receive timeout expired. The byte buffers are valid only inside `body`.
    ///
    /// `@inlinable` so the caller's `R` is specialised: the generic version looked up `Result<R?, ZMQError>` metadata
    /// at run time on every message (≈ 9 % of the daemon's poll thread); the libzmq work stays in ``receiveFrames``.
    @inlinable
    public func receiveMultipart<R>(
        maxFrames: Int = 2,
        dontWait: Bool = false,
        _ body: (borrowing ZMQFrames) -> R
    ) throws(ZMQError) -> R? {
        let capacity = max(1, maxFrames)
        // One extra slot receives (and immediately closes) the frames beyond `capacity`.
        let result = withUnsafeTemporaryAllocation(of: zmq_msg_t.self, capacity: capacity + 1) {
            buffer -> Result<R?, ZMQError> in
            let base = buffer.baseAddress!
            let received: (kept: Int, total: Int)?
            do throws(ZMQError) { received = try receiveFrames(into: base, capacity: capacity, dontWait: dontWait) } catch { return .failure(error) }
            guard let received else { return .success(nil) }
            defer { Self.closeFrames(base, count: received.kept) }
            return .success(body(ZMQFrames(base: base, available: received.kept, count: received.total)))
        }
        return try result.get()
    }

    /// Receives the frames of one message into `base[0..<capacity]` (frames beyond `capacity` go through
    /// `base[capacity]` and are closed at once); returns how many are kept and the message's frame count, nil when
    /// none is waiting. The caller closes the kept frames (``closeFrames``); on error they are already closed.
    @usableFromInline
    func receiveFrames(
        into base: UnsafeMutablePointer<zmq_msg_t>, capacity: Int, dontWait: Bool
    ) throws(ZMQError) -> (kept: Int, total: Int)? {
        let handle = try requireHandle("receive on")
        var kept = 0
        var total = 0
        var more = true
        while more {
            let slot = total < capacity ? base + total : base + capacity
            zmq_msg_init(slot)
            if total < capacity { kept += 1 }
            let flags: Int32 = (total == 0 && dontWait) ? ZMQ_DONTWAIT : 0
            while zmq_msg_recv(slot, handle, flags) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if total >= capacity { zmq_msg_close(slot) }
                Self.closeFrames(base, count: kept)
                if code == EAGAIN && total == 0 { return nil }
                throw ZMQError(code: code, operation: "receive frame \(total) on \(type) socket")
            }
            more = zmq_msg_more(slot) != 0
            if total >= capacity { zmq_msg_close(slot) }
            total += 1
        }
        return (min(total, capacity), total)
    }

    /// Closes the first `count` received frames at `base`.
    @usableFromInline
    static func closeFrames(_ base: UnsafeMutablePointer<zmq_msg_t>, count: Int) {
        for index in 0..<count { zmq_msg_close(base + index) }
    }

    /// Receives one whole message and copies every frame; nil when none is waiting (`dontWait`) or on timeout.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        let handle = try requireHandle("receive on")
        var message = zmq_msg_t()
        var frames: [[UInt8]] = []
        var more = true
        while more {
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags: Int32 = (frames.isEmpty && dontWait) ? ZMQ_DONTWAIT : 0
            while zmq_msg_recv(&message, handle, flags) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError(code: code, operation: "receive frame \(frames.count) on \(type) socket")
            }
            let size = zmq_msg_size(&message)
            if let data = zmq_msg_data(&message), size > 0 {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            more = zmq_msg_more(&message) != 0
        }
        return frames
    }
}

@available(*, unavailable, message: "a ZeroMQ socket is not thread safe; keep it on the thread that polls it")
extension ZMQSocket: Sendable {}
