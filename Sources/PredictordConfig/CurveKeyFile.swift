import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// CURVE key files as `predictord keygen` writes them: `NAME.key` (secret, mode 0600) and `NAME.pub`, both in
/// CZMQ's certificate format (``ZMQCurveCertificate``), so pyzmq's `zmq.auth.load_certificate` reads them too.
public enum CurveKeyFile {
    /// Why a key file could not be read or written: the path and the fix.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String
        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
        public var description: String { "\(path): \(message)" }
    }

    /// The key pair in a secret key file; refuses a file other users may read (like ssh) or one without a secret key.
    public static func loadKeyPair(_ path: String) throws(Failure) -> ZMQCurveKeyPair {
        let certificate = try load(path)
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(path: path, message: "cannot read its permissions") }
        let mode = Int(info.st_mode)
        guard mode & 0o077 == 0 else {
            throw Failure(path: path, message: "secret key file has mode \(String(mode & 0o777, radix: 8)); other users may read it: chmod 600 it (or regenerate the pair)")
        }
        let pair: ZMQCurveKeyPair?
        do { pair = try certificate.keyPair } catch { throw Failure(path: path, message: "\(error)") }
        guard let pair else {
            throw Failure(path: path, message: "holds no secret-key; give the NAME.key file written by predictord keygen, not NAME.pub")
        }
        return pair
    }

    /// The public key in a key file (`.pub` or `.key`).
    public static func loadPublicKey(_ path: String) throws(Failure) -> ZMQCurveKey {
        try load(path).publicKey
    }

    /// The public keys an allow-list entry names: a key file, or every `*.pub` file of a directory (sorted by name),
    /// each with the file it came from.
    public static func loadAllowed(_ path: String) throws(Failure) -> [(key: ZMQCurveKey, file: String)] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Failure(path: path, message: "no such file or directory; create client keys with predictord keygen --out DIR/NAME")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return [(try loadPublicKey(path), path)] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw Failure(path: path, message: "cannot list the directory: \(error)")
        }
        let files = names.filter { $0.hasSuffix(".pub") }.sorted().map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
        guard !files.isEmpty else {
            throw Failure(path: path, message: "directory holds no *.pub file; copy the clients' NAME.pub files into it")
        }
        var keys: [(key: ZMQCurveKey, file: String)] = []
        for file in files { keys.append((try loadPublicKey(file), file)) }
        return keys
    }

    /// Writes `pair` to `base.key` (mode 0600) and `base.pub` (mode 0644); refuses to replace either unless `force`.
    /// Returns the two paths.
    @discardableResult
    public static func write(_ pair: ZMQCurveKeyPair, base: String, force: Bool, comment: [String] = []) throws(Failure) -> (secret: String, public: String) {
        let secretPath = base + ".key", publicPath = base + ".pub"
        if !force {
            for path in [secretPath, publicPath] where FileManager.default.fileExists(atPath: path) {
                throw Failure(path: path, message: "already exists; not overwritten (pass --force to replace the pair, which locks out every peer using the old one)")
            }
        }
        try writeFile(ZMQCurveCertificate(secret: pair).render(comment: comment), to: secretPath, mode: 0o600)
        try writeFile(ZMQCurveCertificate(publicKey: pair.publicKey).render(comment: comment), to: publicPath, mode: 0o644)
        return (secretPath, publicPath)
    }

    private static func load(_ path: String) throws(Failure) -> ZMQCurveCertificate {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Failure(path: path, message: "cannot read the key file (\(error.localizedDescription)); check the path and that the daemon's user may read it")
        }
        do { return try ZMQCurveCertificate.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw Failure(path: path, message: "not a CURVE key file: \(error)")
        }
    }

    /// Writes `text` with `mode` from the first byte on (`open(O_CREAT|O_EXCL, mode)`, so the secret is never
    /// readable by others, not even briefly), then renames it into place.
    private static func writeFile(_ text: String, to path: String, mode: Int) throws(Failure) {
        let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            throw Failure(path: path, message: "cannot create the file (\(String(cString: strerror(errno)))); does the directory exist and is it writable?")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        // fchmod: the umask may have removed bits of `mode` (0644 for the public file).
        let ok = written == bytes.count && fchmod(fd, mode_t(mode)) == 0 && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(path: path, message: "cannot write it: \(reason)")
        }
    }
}
