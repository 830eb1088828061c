import CZMQ

/// Receives the connection events of one socket (`zmq_socket_monitor` over an inproc PAIR socket).
/// Poll `socket` with the monitored socket; like it, a monitor belongs to one thread.
public final class ZMQMonitor {
    /// The PAIR socket the events arrive on; add it to a `ZMQPoller` to wait for events.
    public let socket: ZMQSocket
    /// The inproc endpoint libzmq publishes the events on.
    public let endpoint: String

    init(context: ZMQContext, endpoint: String) throws(ZMQError) {
        self.endpoint = endpoint
        socket = try ZMQSocket(context: context, type: .pair)
        try socket.connect(endpoint)
    }

    /// The next event, or nil when none is waiting (`dontWait`) or the receive timeout expired.
    /// A malformed event message (not libzmq's 2 frames of 6 bytes + endpoint) is skipped.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> ZMQSocketEvent? {
        while true {
            let parsed = try socket.receiveMultipart(dontWait: dontWait) { frames -> ZMQSocketEvent? in
                guard frames.count == 2, frames.size(of: 0) == 6 else { return nil }
                let header = frames[0]
                let kind = header.loadUnaligned(fromByteOffset: 0, as: UInt16.self)
                let value = header.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
                return ZMQSocketEvent(
                    kind: .init(rawValue: kind), value: value, endpoint: String(decoding: frames[1], as: UTF8.self))
            }
            guard let parsed else { return nil }
            if let event = parsed { return event }
        }
    }
}

@available(*, unavailable, message: "a monitor holds a socket, which is not thread safe")
extension ZMQMonitor: Sendable {}

extension ZMQSocket {
    /// Starts reporting this socket's connection events (e.g. `.disconnected`, `.handshakeFailedProtocol`) and
    /// returns the monitor that receives them. One monitor per socket; it ends when the socket closes.
    public func monitor(events: ZMQSocketEvent.Kind = .all) throws(ZMQError) -> ZMQMonitor {
        let handle = try requireHandle("monitor")
        let endpoint = "inproc://zeromq-swift-monitor-\(UInt(bitPattern: handle))"
        if zmq_socket_monitor(handle, endpoint, Int32(events.rawValue)) != 0 {
            throw ZMQError.last("monitor \(type) socket on", endpoint: endpoint)
        }
        return try ZMQMonitor(context: context, endpoint: endpoint)
    }
}
