import CLIP
import Foundation
import Hummingbird
import Imaging
import MultipartKit

/// What a request carries besides its route: the parameters (query string, and the text
/// fields of a multipart body, which win) and at most one file or raw body.
struct RequestInput: Sendable {
    /// Parameters by name.
    var fields: [String: String]
    /// The image bytes (raw body or the multipart `image` part), if any.
    var file: Data?
    /// The multipart file name, or "-" for a raw body.
    var fileName = "-"
    /// The body's media type ("image/png", "application/json", …), lower case, no parameters.
    var mediaType: String

    /// Reads the body of `request`, at most `maxBytes` (413 beyond; a `Content-Length` over
    /// the limit is refused before reading).
    static func read(_ request: Request, maxBytes: Int) async throws -> RequestInput {
        var fields: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { fields[String(k)] = String(v) }
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw tooLarge(maxBytes)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
            throw tooLarge(maxBytes)
        }
        var input = RequestInput(fields: fields, file: nil, mediaType: mediaType)
        if mediaType == "multipart/form-data" {
            try input.parseMultipart(buffer, contentType: contentType)
        } else if buffer.readableBytes > 0 {
            input.file = Data(buffer.readableBytesView)
        }
        return input
    }

    static func tooLarge(_ maxBytes: Int) -> APIError {
        APIError(.contentTooLarge, "request body is larger than the limit of \(maxBytes / (1024 * 1024)) MB")
    }

    /// The parts of a `multipart/form-data` body: the `image` part is the file, every other
    /// part a text field.
    private mutating func parseMultipart(_ buffer: ByteBuffer, contentType: String) throws {
        guard let boundary = Self.parameter("boundary", in: contentType) else {
            throw APIError.badRequest("multipart body without a boundary in Content-Type")
        }
        var parts: [(headers: [String: String], body: ByteBuffer)] = []
        var headers: [String: String] = [:]
        var body = ByteBuffer()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append((headers, body))
            headers = [:]
            body = ByteBuffer()
        }
        do { try parser.execute(buffer) } catch {
            throw APIError.badRequest("malformed multipart body")
        }
        guard !parts.isEmpty else { throw APIError.badRequest("multipart body has no parts") }
        for part in parts {
            let disposition = part.headers["content-disposition"] ?? ""
            guard let name = Self.parameter("name", in: disposition) else { continue }
            if name == "image" {
                file = Data(part.body.readableBytesView)
                fileName = Self.parameter("filename", in: disposition) ?? "-"
                if let type = part.headers["content-type"] {
                    mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? mediaType
                }
            } else {
                fields[name] = String(decoding: part.body.readableBytesView, as: UTF8.self)
            }
        }
        if file == nil { throw APIError.badRequest("multipart body has no \"image\" part") }
    }

    /// `key=value` or `key="value"` in a header such as Content-Type or Content-Disposition.
    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    /// The image, decoded with `maxPixels` (413 above it, 415 for bytes that are no image).
    func image(maxPixels: Int) throws -> RGBImage {
        guard let file, !file.isEmpty else {
            throw APIError.badRequest("no image: send it as the body (Content-Type: image/jpeg, image/png, …) or as the multipart \"image\" field")
        }
        if mediaType == "application/json" || mediaType.hasPrefix("text/") || mediaType == "application/x-www-form-urlencoded" {
            throw APIError(.unsupportedMediaType, "Content-Type \(mediaType) is not an image")
        }
        return try ImageLoader.decode(data: file, name: fileName == "-" ? "body" : fileName, maxPixels: maxPixels)
    }

    /// Parameter `name` as a float in [0, 1], or nil when absent.
    func unitFloat(_ name: String) throws -> Float? {
        guard let text = fields[name], !text.isEmpty else { return nil }
        guard let v = Float(text), v >= 0, v <= 1 else { throw APIError.badRequest("\(name) \(text) must be a number in [0, 1]") }
        return v
    }

    /// Parameter `name` as an integer ≥ `minimum`, or nil when absent.
    func integer(_ name: String, atLeast minimum: Int) throws -> Int? {
        guard let text = fields[name], !text.isEmpty else { return nil }
        guard let v = Int(text), v >= minimum else { throw APIError.badRequest("\(name) \(text) must be an integer ≥ \(minimum)") }
        return v
    }
}
