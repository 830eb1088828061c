import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 32-byte CURVE key (public or secret), written as 40 Z85 characters (`zmq_z85_encode`) in files and logs.
public struct ZMQCurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The raw 32 bytes.
    public let bytes: [UInt8]

    /// Length of a key in bytes and in Z85 text.
    public static let byteCount = 32
    public static let z85Count = 40

    /// A key from its raw bytes; throws `EINVAL` unless there are exactly 32.
    public init(bytes: [UInt8]) throws(ZMQError) {
        guard bytes.count == Self.byteCount else {
            throw ZMQError(code: EINVAL, operation: "make a CURVE key of \(bytes.count) bytes",
                           hint: "a CURVE key is exactly 32 bytes")
        }
        self.bytes = bytes
    }

    /// A key from its 40-character Z85 text; throws `EINVAL` for any other length or a character outside Z85.
    public init(z85 text: String) throws(ZMQError) {
        let utf8 = Array(text.utf8)
        guard utf8.count == Self.z85Count else {
            throw ZMQError(code: EINVAL, operation: "decode a Z85 CURVE key of \(utf8.count) characters",
                           hint: "a CURVE key is 40 Z85 characters (as written by predictord keygen)")
        }
        var decoded = [UInt8](repeating: 0, count: Self.byteCount)
        let ok = (utf8 + [0]).withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { zmq_z85_decode(&decoded, $0.baseAddress) != nil }
        }
        // libzmq 4.3 does not reject every character outside the Z85 alphabet: round-trip to be sure.
        guard ok, Self.encode(decoded) == text else {
            throw ZMQError(code: EINVAL, operation: "decode the Z85 CURVE key '\(text)'",
                           hint: "it contains characters outside the Z85 alphabet; copy the key from its file again")
        }
        bytes = decoded
    }

    /// The 40-character Z85 text.
    public var z85: String { Self.encode(bytes) }

    public var description: String { z85 }

    static func encode(_ bytes: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: z85Count + 1)
        _ = zmq_z85_encode(&text, bytes, bytes.count)
        return String(decoding: text.prefix(z85Count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A CURVE key pair: the public key others list, the secret key only its owner holds.
public struct ZMQCurveKeyPair: Sendable, Hashable {
    public let publicKey: ZMQCurveKey
    public let secretKey: ZMQCurveKey

    /// Whether this libzmq can do CURVE (`zmq_has("curve")`: built with libsodium or tweetnacl).
    public static var isSupported: Bool { zmq_has("curve") != 0 }

    /// A fresh random key pair (`zmq_curve_keypair`); throws `ENOTSUP` when libzmq lacks CURVE.
    public static func generate() throws(ZMQError) -> ZMQCurveKeyPair {
        var publicText = [CChar](repeating: 0, count: ZMQCurveKey.z85Count + 1)
        var secretText = [CChar](repeating: 0, count: ZMQCurveKey.z85Count + 1)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else {
            throw ZMQError.last("generate a CURVE key pair")
        }
        return ZMQCurveKeyPair(publicKey: try ZMQCurveKey(z85: Self.text(publicText)),
                               secretKey: try ZMQCurveKey(z85: Self.text(secretText)))
    }

    /// The pair of `secretKey`, its public key derived with `zmq_curve_public`.
    public init(secretKey: ZMQCurveKey) throws(ZMQError) {
        var publicText = [CChar](repeating: 0, count: ZMQCurveKey.z85Count + 1)
        let secretText = Array(secretKey.z85.utf8CString)
        guard zmq_curve_public(&publicText, secretText) == 0 else {
            throw ZMQError.last("derive the CURVE public key")
        }
        self.publicKey = try ZMQCurveKey(z85: Self.text(publicText))
        self.secretKey = secretKey
    }

    /// The NUL-terminated Z85 text libzmq wrote into `buffer`.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private init(publicKey: ZMQCurveKey, secretKey: ZMQCurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}
