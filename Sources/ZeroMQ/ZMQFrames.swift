import CZMQ

/// The frames of one received message, lent by `ZMQSocket.receiveMultipart` and valid only inside its closure.
/// `count` is the number of frames the message had; only the first `available` (≤ maxFrames) can be read.
public struct ZMQFrames: ~Copyable {
    private let base: UnsafeMutablePointer<zmq_msg_t>
    /// How many frames can be read (`min(count, maxFrames)`).
    public let available: Int
    /// How many frames the message had, including those discarded beyond `maxFrames`.
    public let count: Int

    @usableFromInline
    init(base: UnsafeMutablePointer<zmq_msg_t>, available: Int, count: Int) {
        self.base = base
        self.available = available
        self.count = count
    }

    /// The bytes of frame `index` (0 ..< `available`), without copying; do not let them escape the closure.
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < available, "frame \(index) is not available (\(available) of \(count) kept)")
        let message = base + index
        let size = zmq_msg_size(message)
        guard size > 0, let data = zmq_msg_data(message) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: data, count: size)
    }

    /// The size in bytes of frame `index`, to check before reading it.
    public func size(of index: Int) -> Int {
        precondition(index >= 0 && index < available, "frame \(index) is not available (\(available) of \(count) kept)")
        return zmq_msg_size(base + index)
    }
}
