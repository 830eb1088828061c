/// The text of a CURVE key file in CZMQ's certificate format (`zcert`, also read by pyzmq's
/// `zmq.auth.load_certificate`): comment lines, then `curve` with `public-key = "…"` and, in a secret file only,
/// `secret-key = "…"`, each 40 Z85 characters.
public struct ZMQCurveCertificate: Sendable, Equatable {
    /// The public key (always present).
    public var publicKey: ZMQCurveKey
    /// The secret key; nil in a public (`.pub`) file.
    public var secretKey: ZMQCurveKey?

    public init(publicKey: ZMQCurveKey, secretKey: ZMQCurveKey? = nil) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The secret file's certificate of `pair` (both keys).
    public init(secret pair: ZMQCurveKeyPair) {
        self.init(publicKey: pair.publicKey, secretKey: pair.secretKey)
    }

    /// The key pair, when this is a secret certificate.
    public var keyPair: ZMQCurveKeyPair? {
        get throws(ZMQError) {
            guard let secretKey else { return nil }
            return try ZMQCurveKeyPair(secretKey: secretKey)
        }
    }

    /// The file text; `comment` lines go first after the format header.
    public func render(comment: [String] = []) -> String {
        var lines = secretKey == nil
            ? ["#   ZeroMQ CURVE Public Certificate", "#   Exchange securely, or use a secure mechanism to verify the contents."]
            : ["#   ZeroMQ CURVE **Secret** Certificate", "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions."]
        lines += comment.map { "#   \($0)" }
        lines += ["", "metadata", "curve", "    public-key = \"\(publicKey.z85)\""]
        if let secretKey { lines.append("    secret-key = \"\(secretKey.z85)\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses certificate text; the error message names the line and what is wrong. A secret key must belong to
    /// the public key next to it.
    public static func parse(_ text: String) throws(ZMQCurveCertificateError) -> ZMQCurveCertificate {
        var publicKey: ZMQCurveKey?
        var secretKey: ZMQCurveKey?
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop(while: { $0 == " " || $0 == "\t" })
            guard line.hasPrefix("public-key") || line.hasPrefix("secret-key") else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ZMQCurveCertificateError("line \(number + 1): expected 'name = \"KEY\"'")
            }
            let name = line[..<equals].trimmingCharacters(in: " \t")
            let value = line[line.index(after: equals)...].trimmingCharacters(in: " \t\r\"'")
            let key: ZMQCurveKey
            do { key = try ZMQCurveKey(z85: value) } catch {
                throw ZMQCurveCertificateError("line \(number + 1): \(name) is not a 40-character Z85 key")
            }
            switch name {
            case "public-key": publicKey = key
            case "secret-key": secretKey = key
            default: throw ZMQCurveCertificateError("line \(number + 1): unknown entry '\(name)'")
            }
        }
        guard let publicKey else {
            throw ZMQCurveCertificateError("no 'public-key = \"…\"' line; is this a key file written by predictord keygen?")
        }
        if let secretKey {
            let derived: ZMQCurveKey
            do { derived = try ZMQCurveKeyPair(secretKey: secretKey).publicKey } catch {
                throw ZMQCurveCertificateError("cannot derive the public key of its secret-key: \(error)")
            }
            guard derived == publicKey else {
                throw ZMQCurveCertificateError("its public-key does not belong to its secret-key; regenerate the pair")
            }
        }
        return ZMQCurveCertificate(publicKey: publicKey, secretKey: secretKey)
    }
}

/// Why certificate text could not be read.
public struct ZMQCurveCertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Substring {
    /// This text without the given characters at either end.
    fileprivate func trimmingCharacters(in set: String) -> String {
        let drop: (Character) -> Bool = { set.contains($0) }
        return String(self.drop(while: drop).reversed().drop(while: drop).reversed())
    }
}
