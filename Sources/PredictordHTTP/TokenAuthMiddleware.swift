import Foundation
import Hummingbird

/// Requires `http.token_file`'s token on every request: `Authorization: Bearer <token>`, or basic auth with the
/// token as password (any user name), so Prometheus' `authorization` or `basic_auth` and a browser prompt all work.
struct TokenAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let header = request.headers[.authorization], accepts(header) {
            return try await next(request, context)
        }
        return Response(
            status: .unauthorized,
            headers: [.wwwAuthenticate: "Basic realm=\"predictord\", charset=\"UTF-8\"", .contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "predictord: this endpoint needs the token of http.token_file, as 'Authorization: Bearer <token>' or as the basic-auth password\n")))
    }

    func accepts(_ header: String) -> Bool {
        if header.hasPrefix("Bearer ") { return Self.equal(String(header.dropFirst(7)), token) }
        if header.hasPrefix("Basic "),
           let decoded = Data(base64Encoded: String(header.dropFirst(6))),
           let colon = decoded.firstIndex(of: UInt8(ascii: ":")) {
            return Self.equal(String(decoding: decoded[decoded.index(after: colon)...], as: UTF8.self), token)
        }
        return false
    }

    /// Compares without an early exit on the first differing byte (no timing hint about the token's prefix).
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
