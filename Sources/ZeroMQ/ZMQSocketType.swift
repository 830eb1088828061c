import CZMQ

/// The ZeroMQ socket pattern (`ZMQ_PUB`, `ZMQ_SUB`, …) passed to `zmq_socket`.
public enum ZMQSocketType: Sendable, Hashable, CustomStringConvertible {
    case pub, sub, xpub, xsub, push, pull, pair, req, rep

    /// The libzmq constant.
    public var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pair: ZMQ_PAIR
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        }
    }

    public var description: String {
        switch self {
        case .pub: "PUB"
        case .sub: "SUB"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .push: "PUSH"
        case .pull: "PULL"
        case .pair: "PAIR"
        case .req: "REQ"
        case .rep: "REP"
        }
    }
}
