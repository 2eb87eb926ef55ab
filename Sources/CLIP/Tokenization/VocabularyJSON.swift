/// Reader for `vocab.json`: one JSON object mapping token strings to integer ids.
///
/// A purpose-built parser rather than `JSONSerialization`: it reads the 49,408-entry CLIP
/// vocabulary in a few milliseconds and keys tokens by their UTF-8 bytes, which is what the
/// merge table is built from (no `String` hashing, which would compare canonically).
enum VocabularyJSON {
    /// Parses `bytes` as `{"token": id, …}`. Duplicate keys: the last one wins, as in Python.
    /// - Throws: `CLIPError` naming `fileName`, the byte offset and what was expected.
    static func parse(_ bytes: [UInt8], fileName: String) throws -> [[UInt8]: Int32] {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer, fileName: fileName)
            return try parser.parseObject()
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let fileName: String
        var offset = 0

        init(bytes: UnsafeBufferPointer<UInt8>, fileName: String) {
            self.bytes = bytes
            self.fileName = fileName
        }

        func failure(_ expected: String) -> CLIPError {
            CLIPError("\(fileName): not a BPE vocabulary (JSON object of token → id): expected \(expected) at byte \(offset)")
        }

        mutating func skipWhitespace() {
            while offset < bytes.count {
                switch bytes[offset] {
                case 0x20, 0x09, 0x0A, 0x0D: offset += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8, _ description: String) throws {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == byte else { throw failure(description) }
            offset += 1
        }

        mutating func parseObject() throws -> [[UInt8]: Int32] {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
            try expect(UInt8(ascii: "{"), "'{'")
            var vocabulary = [[UInt8]: Int32](minimumCapacity: 65536)
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
            } else {
                while true {
                    try expect(UInt8(ascii: "\""), "a token string")
                    let token = try parseStringBody()
                    try expect(UInt8(ascii: ":"), "':'")
                    vocabulary[token] = try parseId()
                    skipWhitespace()
                    guard offset < bytes.count else { throw failure("',' or '}'") }
                    let separator = bytes[offset]
                    offset += 1
                    if separator == UInt8(ascii: "}") { break }
                    guard separator == UInt8(ascii: ",") else { offset -= 1; throw failure("',' or '}'") }
                }
            }
            skipWhitespace()
            guard offset == bytes.count else { throw failure("end of file") }
            return vocabulary
        }

        mutating func parseId() throws -> Int32 {
            skipWhitespace()
            var value: Int64 = 0
            let start = offset
            while offset < bytes.count, bytes[offset] >= 0x30, bytes[offset] <= 0x39 {
                value = value * 10 + Int64(bytes[offset] - 0x30)
                guard value <= Int64(Int32.max) else { throw failure("a token id below 2^31") }
                offset += 1
            }
            guard offset > start else { throw failure("a non-negative integer token id") }
            return Int32(value)
        }

        /// Reads a string after its opening quote, returning its UTF-8 bytes.
        mutating func parseStringBody() throws -> [UInt8] {
            var result = [UInt8]()
            while offset < bytes.count {
                let byte = bytes[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return result
                case UInt8(ascii: "\\"):
                    try parseEscape(into: &result)
                case 0..<0x20:
                    offset -= 1
                    throw failure("no raw control character inside a string")
                default:
                    result.append(byte)
                }
            }
            throw failure("a closing '\"'")
        }

        mutating func parseEscape(into result: inout [UInt8]) throws {
            guard offset < bytes.count else { throw failure("an escape sequence") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(byte)
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var value = try parseHex4()
                if (0xD800..<0xDC00).contains(value) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                        throw failure("a low surrogate escape after a high surrogate")
                    }
                    offset += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("a low surrogate escape") }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(value) else { throw failure("a valid Unicode scalar escape") }
                UTF8.encode(scalar) { result.append($0) }
            default:
                offset -= 1
                throw failure("a valid escape character")
            }
        }

        mutating func parseHex4() throws -> UInt32 {
            guard offset + 4 <= bytes.count else { throw failure("four hex digits") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[offset]
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: throw failure("a hex digit")
                }
                value = value << 4 | UInt32(digit)
                offset += 1
            }
            return value
        }
    }
}
