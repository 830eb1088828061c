import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing the files the commands are given, with failures as one plain line (`cannot read
/// Config/x.yaml: no such file`) instead of Foundation's error domains.
enum FileInput {
    /// The file's bytes, or a ``CommandFailure`` naming `what`, the path, the reason and `hint` (how to fix it).
    static func read(_ path: String, what: String, hint: String = "") throws -> Data {
        try requireReadable(path, what: what, hint: hint)
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot read \(what) \(path): \(reason(of: error))\(suffix(hint))")
        }
    }

    /// Throws a ``CommandFailure`` unless `path` is a regular file this process can open for reading.
    static func requireReadable(_ path: String, what: String, hint: String = "") throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CommandFailure("cannot read \(what) \(path): \(reason(errno: errno))\(suffix(hint))") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CommandFailure("cannot read \(what) \(path): is a directory\(suffix(hint))")
        }
    }

    /// Writes `data` to `path`, or throws a ``CommandFailure`` naming `what` and the reason.
    static func write(_ data: Data, to path: String, what: String) throws {
        try requireDirectory(of: path, what: what)
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot write \(what) \(path): \(reason(of: error))")
        }
    }

    /// Throws a ``CommandFailure`` unless the directory `path` would be written in exists (checked before long work).
    static func requireDirectory(of path: String, what: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard parent.isEmpty || FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) && isDirectory.boolValue else {
            throw CommandFailure("cannot write \(what) \(path): no such directory \(parent)")
        }
    }

    /// A short, lower-case reason for an errno value.
    static func reason(errno code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        case EISDIR: "is a directory"
        case ENOTDIR: "a parent is not a directory"
        case ENOSPC: "no space left on device"
        case EROFS: "read-only file system"
        default: String(cString: strerror(code)).lowercased()
        }
    }

    /// The POSIX reason inside a Foundation error, else its localized description.
    static func reason(of error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(errno: Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return reason(errno: Int32(ns.code)) }
        return ns.localizedDescription
    }

    private static func suffix(_ hint: String) -> String { hint.isEmpty ? "" : " (\(hint))" }
}
