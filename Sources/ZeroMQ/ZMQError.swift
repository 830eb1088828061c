import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: what was attempted (and on which endpoint), errno with libzmq's text for it, and a hint.
public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The errno value libzmq reported (`EADDRINUSE`, `EAGAIN`, `ETERM`, …).
    public var code: Int32
    /// What was attempted, as a verb phrase: `bind`, `connect`, `receive`, `set option 23 on`, ….
    public var operation: String
    /// The endpoint the call was about, when there is one.
    public var endpoint: String?
    /// How to fix it, when the cause is well known.
    public var hint: String?

    public init(code: Int32, operation: String, endpoint: String? = nil, hint: String? = nil) {
        self.code = code
        self.operation = operation
        self.endpoint = endpoint
        self.hint = hint ?? Self.defaultHint(code: code, operation: operation)
    }

    /// The error of the last failed libzmq call on this thread (`zmq_errno`).
    static func last(_ operation: String, endpoint: String? = nil) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation, endpoint: endpoint)
    }

    /// libzmq's text for `code` (`zmq_strerror`), e.g. "Address already in use".
    public var message: String { String(cString: zmq_strerror(code)) }
    /// The context was shut down or terminated (`ETERM`): close the socket and leave the loop.
    public var isTerminated: Bool { code == ETERM }
    /// The call would block, or its send/receive timeout expired (`EAGAIN`).
    public var isAgain: Bool { code == EAGAIN }
    /// A signal interrupted the call (`EINTR`); it is safe to retry.
    public var isInterrupted: Bool { code == EINTR }

    public var description: String {
        var text = "cannot \(operation)"
        if let endpoint { text += " \(endpoint)" }
        text += ": \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }

    private static func defaultHint(code: Int32, operation: String) -> String? {
        switch code {
        case EADDRINUSE: "another socket or process is bound there; stop it or choose another endpoint"
        case EADDRNOTAVAIL, ENODEV: "the address is not local to this host; bind an address of one of its interfaces"
        case EPROTONOSUPPORT: "unsupported transport; use tcp://, ipc:// or inproc://"
        case EINVAL where operation == "bind" || operation == "connect":
            "malformed endpoint; expected e.g. tcp://127.0.0.1:5556, tcp://*:5556 or ipc:///run/predictord/obs"
        case ETERM: "the ZeroMQ context was shut down; close the socket"
        case ENOTSOCK: "the socket was already closed"
        default: nil
        }
    }
}
