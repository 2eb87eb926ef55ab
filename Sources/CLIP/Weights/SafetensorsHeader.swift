/// The validated layout of a safetensors file, computed from its bytes alone.
///
/// Layout: `u64 little-endian N`, then `N` bytes of UTF-8 JSON (possibly padded with trailing
/// spaces), then the data region. The rules are those of the reference reader
/// (huggingface/safetensors `SafeTensors::read_metadata` + `Metadata::validate`), made
/// stricter where the reference is lax: duplicate keys and unknown tensor fields are errors.
/// Every check runs before any offset is used, so nothing here can read out of bounds.
struct SafetensorsHeader {
    /// One tensor as declared, with offsets relative to the start of the data region.
    struct Entry {
        let name: String
        let dtype: SafetensorsDType
        let shape: [Int]
        let elementCount: Int
        let dataOffsets: Range<Int>
    }

    /// The reference refuses larger headers; so do we (a corrupt length would map gigabytes).
    static let maximumHeaderLength = 100_000_000

    /// Tensors sorted by data offset (ties keep header order).
    let entries: [Entry]
    let metadata: [String: String]
    /// Where the data region starts in the file: 8 + N.
    let dataStart: Int

    /// Validates a whole file's bytes.
    ///
    /// Postcondition: the entries tile `dataStart..<file.count` exactly, in order.
    init(file: UnsafeRawBufferPointer) throws {
        let quote = Self.quote
        guard file.count >= 8 else {
            throw SafetensorsHeaderProblem(
                "file is \(file.count) bytes, too short to be safetensors (it must start with an 8-byte header length)")
        }
        let declared = file.loadUnaligned(as: UInt64.self).littleEndian
        guard declared <= UInt64(Self.maximumHeaderLength) else {
            throw SafetensorsHeaderProblem(
                "header length \(declared) exceeds the \(Self.maximumHeaderLength)-byte limit (corrupt or not a safetensors file)")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= file.count else {
            throw SafetensorsHeaderProblem(
                "header length \(headerLength) runs past the end of the file (\(file.count) bytes): the file is truncated or not safetensors")
        }
        let headerBytes = UnsafeBufferPointer(rebasing: file.bindMemory(to: UInt8.self)[8..<(8 + headerLength)])
        if let bad = Self.firstInvalidUTF8Offset(headerBytes) {
            throw SafetensorsHeaderProblem("header is not valid UTF-8 (byte \(bad) of the header)")
        }
        var reader = HeaderJSONReader(headerBytes)
        guard reader.peek() == UInt8(ascii: "{") else {
            throw SafetensorsHeaderProblem("header is not a JSON object (found \(reader.describeNextValue()))")
        }
        var metadata: [String: String]? = nil
        var entries: [Entry] = []
        var seenNames = Set<String>()
        try reader.readObject { key, reader in
            if key == "__metadata__" {
                guard metadata == nil else { throw SafetensorsHeaderProblem("__metadata__ appears twice in the header") }
                metadata = try Self.readMetadata(&reader)
            } else {
                guard seenNames.insert(key).inserted else {
                    throw SafetensorsHeaderProblem("tensor \(quote(key)) appears twice in the header")
                }
                entries.append(try Self.readEntry(named: key, &reader))
            }
        }
        try reader.expectEnd()

        // Stable sort: equal offsets (zero-size tensors) keep header order.
        let sorted = entries.enumerated().sorted {
            ($0.element.dataOffsets.lowerBound, $0.element.dataOffsets.upperBound, $0.offset)
                < ($1.element.dataOffsets.lowerBound, $1.element.dataOffsets.upperBound, $1.offset)
        }.map(\.element)
        let dataStart = 8 + headerLength
        try Self.checkTiling(sorted, dataLength: file.count - dataStart)
        self.entries = sorted
        self.metadata = metadata ?? [:]
        self.dataStart = dataStart
    }

    // MARK: - Schema

    private static func readMetadata(_ reader: inout HeaderJSONReader) throws -> [String: String]? {
        if try reader.consumeNull() { return nil }  // serde reads `null` as "no metadata"
        guard reader.peek() == UInt8(ascii: "{") else {
            throw SafetensorsHeaderProblem(
                "__metadata__ must be an object of strings, found \(reader.describeNextValue())")
        }
        var result: [String: String] = [:]
        try reader.readObject { key, reader in
            guard reader.peek() == UInt8(ascii: "\"") else {
                throw SafetensorsHeaderProblem(
                    "__metadata__ value for \(quote(key)) must be a string, found \(reader.describeNextValue())")
            }
            guard result.updateValue(try reader.readString(), forKey: key) == nil else {
                throw SafetensorsHeaderProblem("__metadata__ has the key \(quote(key)) twice")
            }
        }
        return result
    }

    private static func readEntry(named name: String, _ reader: inout HeaderJSONReader) throws -> Entry {
        let tensor = "tensor \(quote(name))"
        guard reader.peek() == UInt8(ascii: "{") else {
            throw SafetensorsHeaderProblem(
                "\(tensor): expected an object with dtype, shape and data_offsets, found \(reader.describeNextValue())")
        }
        var dtype: SafetensorsDType?
        var shape: [Int]?
        var offsets: [Int]?
        try reader.readObject { key, reader in
            switch key {
            case "dtype":
                guard dtype == nil else { throw SafetensorsHeaderProblem("\(tensor): key \"dtype\" appears twice") }
                guard reader.peek() == UInt8(ascii: "\"") else {
                    throw SafetensorsHeaderProblem("\(tensor): dtype must be a string, found \(reader.describeNextValue())")
                }
                let text = try reader.readString()
                guard let known = SafetensorsDType(rawValue: text) else {
                    throw SafetensorsHeaderProblem("\(tensor): unknown dtype \(quote(text))")
                }
                dtype = known
            case "shape":
                guard shape == nil else { throw SafetensorsHeaderProblem("\(tensor): key \"shape\" appears twice") }
                shape = try readCounts(&reader, field: "shape", tensor: tensor)
            case "data_offsets":
                guard offsets == nil else {
                    throw SafetensorsHeaderProblem("\(tensor): key \"data_offsets\" appears twice")
                }
                offsets = try readCounts(&reader, field: "data_offsets", tensor: tensor)
            default:
                throw SafetensorsHeaderProblem(
                    "\(tensor): unexpected key \(quote(key)) (an entry holds exactly dtype, shape and data_offsets)")
            }
        }
        guard let dtype else { throw SafetensorsHeaderProblem("\(tensor): missing \"dtype\"") }
        guard let shape else { throw SafetensorsHeaderProblem("\(tensor): missing \"shape\"") }
        guard let offsets else { throw SafetensorsHeaderProblem("\(tensor): missing \"data_offsets\"") }
        guard offsets.count == 2 else {
            throw SafetensorsHeaderProblem(
                "\(tensor): data_offsets must be [begin, end], found \(offsets.count) numbers")
        }
        guard offsets[0] <= offsets[1] else {
            throw SafetensorsHeaderProblem("\(tensor): data_offsets \(offsets) end before they begin")
        }
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw SafetensorsHeaderProblem("\(tensor): shape \(shape) has more elements than fit in 64 bits")
            }
            elements = product
        }
        let (bits, overflow) = elements.multipliedReportingOverflow(by: dtype.bitSize)
        guard !overflow else {
            throw SafetensorsHeaderProblem("\(tensor): shape \(shape) × \(dtype) has more bytes than fit in 64 bits")
        }
        guard bits % 8 == 0 else {
            throw SafetensorsHeaderProblem(
                "\(tensor): shape \(shape) × \(dtype) is \(bits) bits, not a whole number of bytes")
        }
        guard offsets[1] - offsets[0] == bits / 8 else {
            throw SafetensorsHeaderProblem(
                "\(tensor): data_offsets \(offsets) do not match shape \(shape) × \(dtype) (\(bits / 8) bytes)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, elementCount: elements,
                     dataOffsets: offsets[0]..<offsets[1])
    }

    /// Reads an array of non-negative integers (`shape` or `data_offsets`).
    private static func readCounts(_ reader: inout HeaderJSONReader, field: String, tensor: String) throws -> [Int] {
        guard reader.peek() == UInt8(ascii: "[") else {
            throw SafetensorsHeaderProblem(
                "\(tensor): \(field) must be an array of non-negative integers, found \(reader.describeNextValue())")
        }
        var values: [Int] = []
        try reader.readArray { index, reader in
            let found = reader.describeNextValue()
            guard found == "a number" else {
                throw SafetensorsHeaderProblem(
                    "\(tensor): \(field)[\(index)] must be a non-negative integer, found \(found)")
            }
            let number = try reader.readNumber()
            switch number.kind {
            case .integer(let value):
                values.append(value)
            case .negative:
                throw SafetensorsHeaderProblem("\(tensor): \(field)[\(index)] is \(number.text), which is negative")
            case .notAnInteger:
                throw SafetensorsHeaderProblem("\(tensor): \(field)[\(index)] is \(number.text), not an integer")
            case .tooLarge:
                throw SafetensorsHeaderProblem(
                    "\(tensor): \(field)[\(index)] is \(number.text), too large for a 64-bit integer")
            }
        }
        return values
    }

    // MARK: - Layout

    /// Sorted by offset, tensors must cover the data region from 0 to its end with no gap,
    /// no overlap and nothing after the last one.
    private static func checkTiling(_ sorted: [Entry], dataLength: Int) throws {
        var end = 0
        var previous: Entry?
        for entry in sorted {
            let range = entry.dataOffsets
            let declared = "tensor \(quote(entry.name)): data_offsets [\(range.lowerBound), \(range.upperBound)]"
            if range.lowerBound < end, let previous {
                throw SafetensorsHeaderProblem(
                    "\(declared) overlap tensor \(quote(previous.name)) [\(previous.dataOffsets.lowerBound), \(previous.dataOffsets.upperBound)]")
            }
            if range.lowerBound > end {
                if let previous {
                    throw SafetensorsHeaderProblem(
                        "\(declared) leave a gap of \(range.lowerBound - end) bytes after tensor \(quote(previous.name)), which ends at \(end)")
                }
                throw SafetensorsHeaderProblem(
                    "\(declared) leave \(range.lowerBound) unused bytes at the start of the data region")
            }
            end = range.upperBound
            previous = entry
        }
        if end > dataLength {
            throw SafetensorsHeaderProblem(
                "tensors need \(end) bytes of data after the header but only \(dataLength) remain: the file is truncated")
        }
        if end < dataLength {
            throw SafetensorsHeaderProblem(
                "\(dataLength - end) unexpected bytes after the last tensor's data (tensors need \(end) bytes after the header, \(dataLength) remain)")
        }
    }

    /// Offset of the first byte that breaks UTF-8 (overlong forms and surrogates included),
    /// or nil when the whole buffer is valid.
    private static func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

extension SafetensorsHeader {
    /// A name as it appears in messages: JSON-style quotes, control characters escaped so the
    /// message stays on one line.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
                result += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
