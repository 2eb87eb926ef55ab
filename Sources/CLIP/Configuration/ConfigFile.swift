import Foundation

// Decoding helpers for config.json values that transformers accepts in more than one shape,
// and the translation of `DecodingError` into a one-line message.

extension KeyedDecodingContainer {
    /// An integer, or a square `[n, n]` pair (transformers allows both for sizes).
    func decodeSquareSizeIfPresent(forKey key: Key) throws -> Int? {
        if let single = try? decodeIfPresent(Int.self, forKey: key) { return single }
        guard let pair = try decodeIfPresent([Int].self, forKey: key) else { return nil }
        guard pair.count == 2, pair[0] == pair[1] else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(pair) is not supported; only square sizes (an integer or [n, n])")
        }
        return pair[0]
    }

    /// A token id given as an integer or a one-element list.
    func decodeSingleTokenIfPresent(forKey key: Key) throws -> Int? {
        if let single = try? decodeIfPresent(Int.self, forKey: key) { return single }
        guard let list = try decodeIfPresent([Int].self, forKey: key) else { return nil }
        guard list.count == 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(list) is not supported; CLIP pools at a single end-of-text token")
        }
        return list[0]
    }

    /// A `hidden_act` name this module implements.
    func decodeActivationIfPresent(forKey key: Key) throws -> Activation? {
        guard let name = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let activation = Activation(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\"\(name)\" is not supported (expected quick_gelu, gelu, gelu_pytorch_tanh or gelu_new)")
        }
        return activation
    }
}

extension DecodingError {
    /// One line: the JSON path (`vision_config.hidden_size`) and what was wrong there.
    var configMessage: String {
        func path(_ codingPath: [CodingKey]) -> String {
            guard !codingPath.isEmpty else { return "the top level" }
            return codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        func oneLine(_ text: String) -> String {
            text.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(Self.describe(type)), found another type"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(Self.describe(type)), found null"
        case .keyNotFound(let key, let context):
            return "missing \"\(path(context.codingPath + [key]))\""
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(oneLine(context.debugDescription))"
        @unknown default:
            return oneLine(localizedDescription)
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is [Int].Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case _ where "\(type)".hasPrefix("Dictionary"): return "an object"
        default: return "\(type)"
        }
    }
}
