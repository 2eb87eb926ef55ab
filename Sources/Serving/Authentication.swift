import Foundation
import Hummingbird

/// `Authorization: Bearer KEY` on every route but the static ones (`/`, `/healthz`,
/// `/openapi.yaml`), compared in constant time (the time depends on the lengths only, never
/// on where the first differing byte is).
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: [UInt8]
    static var open: Set<String> { ["/", "/healthz", "/openapi.yaml"] }

    init(key: String) { self.key = Array(key.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get, Self.open.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing API key: send Authorization: Bearer KEY")
        }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix.lowercased()),
              APIKeyCompare.equal(Array(header.utf8.dropFirst(prefix.utf8.count)), key) else {
            throw APIError(.unauthorized, "wrong API key")
        }
        return try await next(request, context)
    }
}

/// The key comparison of ``APIKeyMiddleware``.
enum APIKeyCompare {
    /// Equal bytes, in time that depends only on the lengths (every byte of the longer input
    /// is visited whatever the contents).
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let n = max(a.count, b.count)
        var diff = UInt(a.count ^ b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= UInt(x ^ y)
        }
        return diff == 0
    }
}
