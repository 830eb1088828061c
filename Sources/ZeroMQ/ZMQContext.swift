import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libzmq context (`zmq_ctx_new`): owns the I/O threads; every socket keeps its context alive.
/// `shutdown()` may be called from any thread to make blocking calls on its sockets fail with `ETERM`.
public final class ZMQContext: @unchecked Sendable {
    // Why @unchecked Sendable is sound: the only stored property is an immutable pointer, and a ØMQ context is
    // documented thread safe ("A ØMQ context is thread safe and may be shared among as many application threads
    // as necessary", zmq(7); zmq_ctx_shutdown(3) is meant to be called from another thread). The sockets made
    // from it are not thread safe and `ZMQSocket` is therefore not Sendable.
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads (1 is plenty below ~1 GB/s).
    public init(ioThreads: Int = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("create ZeroMQ context") }
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(clamping: ioThreads)) != 0 {
            let error = ZMQError.last("set ZMQ_IO_THREADS=\(ioThreads) on ZeroMQ context")
            zmq_ctx_term(handle)
            throw error
        }
        self.handle = handle
    }

    /// Makes every blocking call on this context's sockets (receive, send, poll) return `ETERM`, now and from
    /// now on; thread safe and idempotent. Sockets must still be closed (dropped) before the context goes away.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    deinit {
        // Sockets hold a strong reference to their context, so all of them are closed by now and (with the
        // default linger of 0 set by `ZMQSocket`) zmq_ctx_term returns promptly.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}
