import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits until any of a set of sockets (and plain file descriptors) is ready (`zmq_poll`).
/// Keeps its sockets alive; like them it belongs to one thread.
public final class ZMQPoller {
    private var sockets: [ZMQSocket?] = []
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Adds a socket and returns its index for `events(at:)`.
    @discardableResult
    public func add(_ socket: ZMQSocket, events: ZMQPollEvents = .readable) -> Int {
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: socket.rawHandle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Adds a plain file descriptor (pipe, eventfd, signalfd, …) and returns its index.
    @discardableResult
    public func add(fileDescriptor: Int32, events: ZMQPollEvents = .readable) -> Int {
        sockets.append(nil)
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Number of sockets and descriptors added.
    public var count: Int { items.count }

    /// Waits up to `timeout` (nil = forever, zero = just check) and returns how many entries are ready; 0 on
    /// timeout or when a signal interrupted the wait. Throws `ETERM` once the context is shut down.
    public func poll(timeout: Duration?) throws(ZMQError) -> Int {
        try poll(timeoutMilliseconds: Int(ZMQSocket.milliseconds(timeout)))
    }

    /// `poll(timeout:)` with the timeout in milliseconds; -1 = forever.
    public func poll(timeoutMilliseconds: Int) throws(ZMQError) -> Int {
        for index in items.indices {
            items[index].revents = 0
            if let socket = sockets[index] {
                guard let handle = socket.rawHandle else {
                    throw ZMQError(code: ENOTSOCK, operation: "poll socket #\(index)",
                                   hint: "it was closed; remove it from the poller or make a new poller")
                }
                items[index].socket = handle
            }
        }
        let ready = items.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        if ready >= 0 { return Int(ready) }
        let code = zmq_errno()
        if code == EINTR { return 0 }
        throw ZMQError(code: code, operation: "poll \(items.count) sockets")
    }

    /// What entry `index` was ready for in the last `poll`.
    public func events(at index: Int) -> ZMQPollEvents {
        ZMQPollEvents(rawValue: items[index].revents)
    }

    /// Whether entry `index` had a message (or data) to read in the last `poll`.
    public func isReadable(_ index: Int) -> Bool {
        events(at: index).contains(.readable)
    }
}

@available(*, unavailable, message: "a poller holds sockets, which are not thread safe")
extension ZMQPoller: Sendable {}

/// Readiness conditions for `ZMQPoller` (`ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`).
public struct ZMQPollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// At least one message (socket) or byte (descriptor) can be read without blocking.
    public static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking.
    public static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition on a plain descriptor.
    public static let error = ZMQPollEvents(rawValue: Int16(ZMQ_POLLERR))
}
