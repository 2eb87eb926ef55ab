import CLIP
import Detection
import Foundation
import Hummingbird
import Imaging

/// An error answered to one request: its HTTP status and the one line of `{"error": "…"}`.
struct APIError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    /// Seconds for `Retry-After` (429, 503).
    var retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    var description: String { message }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// The status and message for any error a handler throws: library errors of bad input are
    /// 400, image errors 413/415 by kind, anything else 500.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as ImagingError:
            switch e.kind {
            case .tooLarge: return APIError(.contentTooLarge, e.description)
            case .unsupportedFormat, .corrupt: return APIError(.unsupportedMediaType, e.description)
            case .outOfMemory: return APIError(.serviceUnavailable, e.description, retryAfter: 1)
            default: return APIError(.badRequest, e.description)
            }
        case let e as HTTPError:
            let text: String
            switch e.status {
            case .notFound: text = "no such route"
            case .contentTooLarge: text = "request body is too large"
            case .methodNotAllowed: text = "method not allowed on this route"
            default: text = e.body ?? e.status.reasonPhrase
            }
            return APIError(e.status, text)
        case let e as any HTTPResponseError: return APIError(e.status, e.status.reasonPhrase)
        case let e as DetectionError: return APIError(.badRequest, "\(e)")
        case let e as CLIPError: return APIError(.badRequest, "\(e)")
        default: return APIError(.internalServerError, oneLine("\(error)"))
        }
    }

    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.init("Retry-After")!] = String(retryAfter) }
        let body = (try? detectionJSON(["error": oneLine(message)])) ?? Data(#"{"error":"internal error"}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// `text` on one line (newlines become spaces).
func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
}

/// JSON response with `detectionJSON`'s encoding (sorted keys, no escaped slashes).
func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    Response(status: status, headers: [.contentType: "application/json"],
             body: .init(byteBuffer: ByteBuffer(bytes: try detectionJSON(value))))
}
