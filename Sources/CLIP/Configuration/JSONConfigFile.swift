import Foundation

/// Reads a JSON file into a `Decodable` type with one-line errors: the file, where in the
/// document (`vision_config.hidden_size`, `annotations[3].bbox`) and what was wrong there.
/// Every JSON file the package reads goes through here (model and Chinese-CLIP configs,
/// `preprocessor_config.json`, `tokenizer_config.json`, COCO annotations and results).
///
/// ```swift
/// let config = try JSONConfigFile.load(CLIPConfig.self, from: folder.appendingPathComponent("config.json"),
///                                      what: "a model folder needs the transformers config.json",
///                                      problems: { $0.problems() })
/// // CLIPError: "/m/config.json: vision_config.hidden_size: expected an integer, found another type"
/// ```
public enum JSONConfigFile {
    /// Reads, decodes and checks `url`.
    ///
    /// - Parameters:
    ///   - what: why the file is needed, said when it is missing or unreadable.
    ///   - problems: what makes a decoded value unusable; the first one is thrown.
    /// - Throws: `CLIPError` naming the file when it is missing or unreadable, is not JSON,
    ///   does not decode (naming the JSON path), or has a problem.
    public static func load<T: Decodable>(_ type: T.Type, from url: URL, what: String,
                                          problems: (T) -> [String] = { _ in [] }) throws -> T {
        let value = try decode(type, from: read(url, what: what), source: url.path)
        if let problem = problems(value).first {
            throw CLIPError("\(url.path): \(problem)")
        }
        return value
    }

    /// The bytes of `url`, or a `CLIPError` "PATH: not found (WHAT)" / "PATH: cannot be read (WHAT)".
    public static func read(_ url: URL, what: String) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "cannot be read" : "not found"
            throw CLIPError("\(url.path): \(reason) (\(what))")
        }
    }

    /// Decodes JSON held in memory; `source` names it in the error.
    /// - Throws: `CLIPError` with `message(for:source:)`.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw CLIPError(message(for: error, data: data, source: source))
        }
    }

    /// One line for a decoding failure: `source`, the JSON path and what was wrong there.
    /// `data`, when given, lets "not valid JSON" say where the parser stopped.
    public static func message(for error: Error, data: Data? = nil, source: String) -> String {
        guard let decoding = error as? DecodingError else {
            return "\(source): \(oneLine((error as NSError).localizedDescription))"
        }
        switch decoding {
        case .typeMismatch(let type, let context):
            return "\(source): \(place(context.codingPath)): expected \(describe(type)), found another type"
        case .valueNotFound(let type, let context):
            return "\(source): \(place(context.codingPath)): expected \(describe(type)), found null"
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "\(source): \(at.isEmpty ? "" : at + ": ")missing \"\(key.stringValue)\""
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            switch parse(data) {
            case .valid: return "\(source): \(oneLine(context.debugDescription))"
            case .invalid(let reason): return "\(source): not valid JSON" + (reason.map { " (\($0))" } ?? "")
            }
        case .dataCorrupted(let context):
            return "\(source): \(path(context.codingPath)): \(oneLine(context.debugDescription))"
        @unknown default:
            return "\(source): \(oneLine(String(describing: decoding)))"
        }
    }

    private enum Parse { case valid, invalid(reason: String?) }

    /// Whether `data` is JSON at all, and if not why: JSONDecoder drops the parser's reason,
    /// JSONSerialization keeps it. Without data, a top-level corruption is taken as bad JSON.
    private static func parse(_ data: Data?) -> Parse {
        guard let data else { return .invalid(reason: nil) }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
            return .valid
        } catch {
            return .invalid(reason: ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String).map(oneLine))
        }
    }

    /// `annotations[3].bbox[1]`; empty at the top level.
    private static func path(_ codingPath: [CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    private static func place(_ codingPath: [CodingKey]) -> String {
        let p = path(codingPath)
        return p.isEmpty ? "the top level" : p
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is [Int].Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "an array" : name.hasPrefix("Dictionary") ? "an object" : "a \(name)"
        }
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
