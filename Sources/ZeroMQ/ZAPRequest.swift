/// One ZeroMQ authentication request (ZAP, RFC 27) as a ZAP handler receives it on `inproc://zeromq.zap.01`.
public struct ZAPRequest: Sendable, Equatable {
    /// The endpoint every ZAP handler of a context binds its REP socket to.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// Opaque id to echo in the reply.
    public var requestID: [UInt8]
    /// The `ZMQ_ZAP_DOMAIN` of the socket the client connected to.
    public var domain: String
    /// The client's address as text (IP address for TCP).
    public var address: String
    /// The connection's routing id (usually empty).
    public var identity: [UInt8]
    /// `NULL`, `PLAIN` or `CURVE`.
    public var mechanism: String
    /// Mechanism credentials: for CURVE, one frame with the client's 32-byte public key.
    public var credentials: [[UInt8]]

    public init(requestID: [UInt8], domain: String, address: String, identity: [UInt8] = [],
                mechanism: String, credentials: [[UInt8]]) {
        self.requestID = requestID
        self.domain = domain
        self.address = address
        self.identity = identity
        self.mechanism = mechanism
        self.credentials = credentials
    }

    /// Parses the frames of a request; nil unless they are version "1.0" with the six fixed frames.
    public init?(frames: [[UInt8]]) {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        requestID = frames[1]
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        identity = frames[4]
        mechanism = String(decoding: frames[5], as: UTF8.self)
        credentials = Array(frames[6...])
    }

    /// The frames of this request, as libzmq sends them.
    public var frames: [[UInt8]] {
        [Array("1.0".utf8), requestID, Array(domain.utf8), Array(address.utf8), identity, Array(mechanism.utf8)] + credentials
    }

    /// The client's CURVE public key, when the mechanism is CURVE and the credential is 32 bytes.
    public var curvePublicKey: ZMQCurveKey? {
        guard mechanism == "CURVE", credentials.count == 1 else { return nil }
        return try? ZMQCurveKey(bytes: credentials[0])
    }

    /// The reply that accepts (200, with `userID`) or refuses (400) this request.
    public func reply(accept: Bool, statusText: String, userID: String = "") -> ZAPReply {
        ZAPReply(requestID: requestID, statusCode: accept ? "200" : "400", statusText: statusText, userID: userID)
    }
}

/// A ZAP handler's answer: 200 lets the connection in, 300 is a temporary and 400 a permanent refusal, 500 an error.
public struct ZAPReply: Sendable, Equatable {
    public var requestID: [UInt8]
    public var statusCode: String
    public var statusText: String
    public var userID: String

    public init(requestID: [UInt8], statusCode: String, statusText: String, userID: String = "") {
        self.requestID = requestID
        self.statusCode = statusCode
        self.statusText = statusText
        self.userID = userID
    }

    /// The reply frames: version, request id, status code, status text, user id, metadata (empty).
    public var frames: [[UInt8]] {
        [Array("1.0".utf8), requestID, Array(statusCode.utf8), Array(statusText.utf8), Array(userID.utf8), []]
    }
}
