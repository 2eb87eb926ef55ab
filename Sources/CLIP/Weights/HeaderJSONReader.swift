/// A problem found in a safetensors header, worded to follow `"<file>: "`.
struct SafetensorsHeaderProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A JSON number as the header schema needs it: only non-negative integers that fit in
/// `Int` are usable; everything else is kept just well enough to say what was wrong.
struct HeaderJSONNumber {
    enum Kind { case integer(Int), negative, notAnInteger, tooLarge }
    let kind: Kind
    /// The number as written (shortened if long), for messages.
    let text: String
}

/// A forward-only JSON reader over a safetensors header, driven by the schema instead of
/// building a tree.
///
/// Why not `JSONSerialization`: it silently keeps one of two duplicate keys, and a generic
/// tree of an adversarial 100 MB header costs gigabytes. Reading directly into the schema
/// needs no recursion (deep nesting is rejected at the first unexpected bracket) and keeps
/// every key, so duplicates can be reported.
///
/// Precondition: `bytes` is valid UTF-8 (checked by the caller), so string contents can be
/// decoded without repair. Grammar is RFC 8259: no comments, no trailing commas, no NaN.
struct HeaderJSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The next significant byte (whitespace skipped), nil at the end.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    /// Fails unless only JSON whitespace remains (the reference pads headers with spaces).
    mutating func expectEnd() throws {
        if peek() != nil { throw invalid("unexpected content after the top-level object") }
    }

    /// What kind of value starts at the next significant byte, for "found …" messages.
    mutating func describeNextValue() -> String {
        guard let byte = peek() else { return "the end of the header" }
        switch byte {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default: return "invalid JSON"
        }
    }

    /// Consumes `null` if it comes next.
    mutating func consumeNull() throws -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    /// Reads an object, calling `member` with each key while positioned at its value;
    /// `member` must consume exactly that value.
    mutating func readObject(_ member: (String, inout HeaderJSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw invalid("expected a quoted key") }
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            try member(key, &self)
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw invalid("expected ',' or '}'")
            }
        }
    }

    /// Reads an array, calling `element` with each index while positioned at its value;
    /// `element` must consume exactly that value.
    mutating func readArray(_ element: (Int, inout HeaderJSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            try element(index, &self)
            index += 1
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return
            default: throw invalid("expected ',' or ']'")
            }
        }
    }

    /// Reads a string value, decoding escapes; lone UTF-16 surrogates are rejected like
    /// serde_json does.
    mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        var decoded: [UInt8]? = nil  // only built when an escape appears
        while true {
            guard position < bytes.count else { throw invalid("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let result: String
                if let decoded {
                    result = String(decoding: decoded, as: UTF8.self)
                } else {
                    result = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                }
                position += 1
                return result
            }
            if byte < 0x20 { throw invalid("control character inside a string") }
            if byte == UInt8(ascii: "\\") {
                if decoded == nil { decoded = Array(bytes[start..<position]) }
                position += 1
                try appendEscape(to: &decoded!)
            } else {
                decoded?.append(byte)
                position += 1
            }
        }
    }

    /// Reads a number per the JSON grammar and classifies it.
    mutating func readNumber() throws -> HeaderJSONNumber {
        _ = peek()
        let start = position
        let negative = consume(UInt8(ascii: "-"))
        guard let first = current, isDigit(first) else { throw invalid("invalid number") }
        var value = 0
        var overflow = false
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = current, isDigit(next) { throw invalid("number with a leading zero") }
        } else {
            while let digit = current, isDigit(digit) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                value = sum
                position += 1
            }
        }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            integral = false
            try readDigits()
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            integral = false
            _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
            try readDigits()
        }
        let length = position - start
        var text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + min(length, 24))]), as: UTF8.self)
        if length > 24 { text += "…" }
        let kind: HeaderJSONNumber.Kind
        if !integral {
            kind = .notAnInteger
        } else if negative && (value != 0 || overflow) {
            kind = .negative
        } else if overflow {
            kind = .tooLarge
        } else {
            kind = .integer(value)  // "-0" is zero
        }
        return HeaderJSONNumber(kind: kind, text: text)
    }

    /// An error for malformed JSON at the current position.
    func invalid(_ reason: String) -> SafetensorsHeaderProblem {
        SafetensorsHeaderProblem("header is not valid JSON: \(reason) at byte \(position) of the header")
    }

    // MARK: - Private

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw invalid("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count,
              (0..<count).allSatisfy({ bytes[position + $0] == literal.utf8Start[$0] })
        else { throw invalid("invalid literal") }
        position += count
    }

    private mutating func readDigits() throws {
        guard let first = current, isDigit(first) else { throw invalid("invalid number") }
        while let digit = current, isDigit(digit) { position += 1 }
    }

    private mutating func readHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw invalid("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw invalid("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Decodes the escape after a backslash (already consumed) into UTF-8.
    private mutating func appendEscape(to out: inout [UInt8]) throws {
        guard let byte = current else { throw invalid("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var code = try readHex4()
            if (0xDC00...0xDFFF).contains(code) { throw invalid("lone low surrogate in \\u escape") }
            if (0xD800...0xDBFF).contains(code) {
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
                    throw invalid("lone high surrogate in \\u escape")
                }
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw invalid("lone high surrogate in \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw invalid("invalid \\u escape") }
            UTF8.encode(scalar) { out.append($0) }
        default:
            throw invalid("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }
}
