import Foundation

/// A strict reader for the Parquet subset that `tools/ray/clipdetect_ray.py` writes: enough to
/// import a cluster-built index without a Parquet library.
///
/// ```swift
/// let table = try ParquetFile(bytes: Array(try Data(contentsOf: url)))
/// let paths = try table.column("path")               // [ParquetValue?], one per row
/// if case .bytes(let b)? = paths[0] { print(String(decoding: b, as: UTF8.self)) }
/// ```
///
/// Read: a flat schema of REQUIRED or OPTIONAL columns of INT32, INT64, FLOAT, DOUBLE and
/// BYTE_ARRAY; any number of row groups; uncompressed data pages v1 with PLAIN values and
/// RLE/bit-packed hybrid definition levels (bit width 1). Footer and page headers are Thrift
/// compact structs (`ThriftCompactReader`); unknown fields are skipped. Anything else —
/// compression, dictionary pages, other encodings, data pages v2, nested or repeated columns,
/// encryption — is a `ParquetError` naming what is unsupported, as is every inconsistency
/// (bad magic, lengths past the end, value counts that disagree). pyarrow writes this subset
/// with `compression="none", use_dictionary=False, data_page_version="1.0"`.
///
/// A pure function of the bytes (no I/O, no global state), so it can be fuzzed directly.
public struct ParquetFile: Sendable {
    /// A column's name, type and values.
    public struct Column: Sendable {
        public var name: String
        public var type: ParquetPhysicalType
        public var optional: Bool
        /// One value per row; nil for a null.
        public var values: [ParquetValue?]
    }

    public let columns: [Column]
    public let rowCount: Int

    static let magic: [UInt8] = Array("PAR1".utf8)

    /// Decodes a whole Parquet file.
    /// - Throws: `ParquetError` (one line) for malformed or unsupported input.
    public init(bytes: [UInt8]) throws {
        let size = bytes.count
        guard size >= 12 else { throw ParquetError("not a Parquet file (\(size) bytes, too short)") }
        guard Array(bytes[0..<4]) == Self.magic, Array(bytes[(size - 4)...]) == Self.magic else {
            throw ParquetError("not a Parquet file (no PAR1 magic at both ends; truncated?)")
        }
        let footerLength = Int(Self.uint32(bytes, at: size - 8))
        guard footerLength <= size - 12 else { throw ParquetError("footer length \(footerLength) exceeds the file (truncated?)") }
        var footer = ThriftCompactReader(bytes: bytes[(size - 8 - footerLength)..<(size - 8)])
        let meta = try ParquetMetadata(try footer.readStruct(), fileSize: size - 8 - footerLength)
        var columns = meta.columns.map { Column(name: $0.name, type: $0.type, optional: $0.optional, values: []) }
        for group in meta.rowGroups {
            for (i, chunk) in group.chunks.enumerated() {
                columns[i].values += try Self.readChunk(bytes[chunk.offset..<(chunk.offset + chunk.length)], chunk: chunk, column: meta.columns[i])
            }
        }
        self.columns = columns
        rowCount = meta.rowCount
    }

    /// The values of column `name`.
    /// - Throws: `ParquetError` when there is no such column.
    public func column(_ name: String) throws -> [ParquetValue?] {
        guard let c = columns.first(where: { $0.name == name }) else { throw ParquetError("no column \"\(name)\"") }
        return c.values
    }

    private static func uint32(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    private static func uint32(_ b: ArraySlice<UInt8>, at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    /// The data pages of one column chunk, until it has `chunk.valueCount` values.
    private static func readChunk(_ bytes: ArraySlice<UInt8>, chunk: ParquetMetadata.Chunk,
                                  column: ParquetMetadata.Column) throws -> [ParquetValue?] {
        var values: [ParquetValue?] = []
        values.reserveCapacity(chunk.valueCount)
        var position = bytes.startIndex
        while values.count < chunk.valueCount {
            guard position < bytes.endIndex else { throw ParquetError("column \(column.name): chunk ends after \(values.count) of \(chunk.valueCount) values") }
            var reader = ThriftCompactReader(bytes: bytes[position...])
            let header = try reader.readStruct()
            position += reader.consumed
            let type = try ParquetMetadata.int(header[1], "page type in column \(column.name)")
            guard type == 0 else {
                throw ParquetError("unsupported page type \(type) in column \(column.name) (only data pages v1; write with data_page_version=\"1.0\", use_dictionary=False)")
            }
            let length = try ParquetMetadata.count(header[3], "page size in column \(column.name)")
            guard try ParquetMetadata.count(header[2], "page size in column \(column.name)") == length else {
                throw ParquetError("column \(column.name): compressed page (sizes differ)")
            }
            guard length <= bytes.endIndex - position else { throw ParquetError("column \(column.name): page runs past its chunk (truncated?)") }
            guard case .structure(let data)? = header[5] else { throw ParquetError("column \(column.name): data page without its header") }
            let count = try ParquetMetadata.count(data[1], "page value count in column \(column.name)")
            guard count <= chunk.valueCount - values.count else { throw ParquetError("column \(column.name): pages hold more values than the chunk") }
            let encoding = try ParquetMetadata.int(data[2], "page encoding in column \(column.name)")
            guard encoding == 0 else { throw ParquetError("unsupported encoding \(encoding) in column \(column.name) (only PLAIN)") }
            let page = bytes[position..<(position + length)]
            position += length
            values += try decodePage(page, count: count, definitionEncoding: data[3], column: column)
        }
        return values
    }

    /// One data page v1: definition levels (optional columns), then the PLAIN non-null values.
    private static func decodePage(_ page: ArraySlice<UInt8>, count: Int, definitionEncoding: ThriftValue?,
                                   column: ParquetMetadata.Column) throws -> [ParquetValue?] {
        var position = page.startIndex
        var present = [Bool](repeating: true, count: count)
        if column.optional {
            let levelEncoding = try ParquetMetadata.int(definitionEncoding, "definition level encoding in column \(column.name)")
            guard levelEncoding == 3 else { throw ParquetError("unsupported definition level encoding \(levelEncoding) in column \(column.name) (only RLE)") }
            guard page.count >= 4 else { throw ParquetError("column \(column.name): page ends in its definition levels") }
            let length = Int(uint32(page, at: position))
            position += 4
            guard length <= page.endIndex - position else { throw ParquetError("column \(column.name): definition levels run past the page") }
            present = try RLEBitPackedHybrid.decodeBits(page[position..<(position + length)], count: count)
                .map { (level: UInt8) throws -> Bool in
                    guard level <= 1 else { throw ParquetError("column \(column.name): definition level \(level) > 1") }
                    return level == 1
                }
            position += length
        }
        var out: [ParquetValue?] = []
        out.reserveCapacity(count)
        for isPresent in present {
            guard isPresent else { out.append(nil); continue }
            let width: Int
            switch column.type {
            case .int32, .float: width = 4
            case .int64, .double: width = 8
            case .byteArray:
                guard page.endIndex - position >= 4 else { throw ParquetError("column \(column.name): page ends inside a value") }
                width = 4 + Int(uint32(page, at: position))
            }
            guard width <= page.endIndex - position else { throw ParquetError("column \(column.name): page ends inside a value") }
            var bits: UInt64 = 0
            if column.type != .byteArray {
                for i in 0..<width { bits |= UInt64(page[position + i]) << UInt64(8 * i) }
            }
            switch column.type {
            case .int32: out.append(.int32(Int32(truncatingIfNeeded: bits)))
            case .int64: out.append(.int64(Int64(bitPattern: bits)))
            case .float: out.append(.float(Float(bitPattern: UInt32(truncatingIfNeeded: bits))))
            case .double: out.append(.double(Double(bitPattern: bits)))
            case .byteArray: out.append(.bytes(Array(page[(position + 4)..<(position + width)])))
            }
            position += width
        }
        guard position == page.endIndex else { throw ParquetError("column \(column.name): \(page.endIndex - position) bytes left over in a page") }
        return out
    }
}

/// One Parquet value (physical type; strings are UTF-8 `bytes`).
public enum ParquetValue: Equatable, Sendable {
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    case double(Double)
    case bytes([UInt8])
}

/// Parquet's RLE / bit-packed hybrid encoding, for bit width 1 (definition levels of flat
/// optional columns): runs with a varint header, `header & 1` = 1 → `header >> 1` groups of
/// 8 bit-packed values (LSB first), else a repeated value (one byte) `header >> 1` times.
enum RLEBitPackedHybrid {
    static func decodeBits(_ bytes: ArraySlice<UInt8>, count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var position = bytes.startIndex
        func byte() throws -> UInt8 {
            guard position < bytes.endIndex else { throw ParquetError("definition levels end early") }
            defer { position += 1 }
            return bytes[position]
        }
        while out.count < count {
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 35 else { throw ParquetError("definition level run header too long") }
                header |= UInt64(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            let n = Int(header >> 1)
            if header & 1 == 1 {
                guard n <= bytes.endIndex - position else { throw ParquetError("definition levels end early") }
                for _ in 0..<n {
                    let b = try byte()
                    for bit in 0..<8 where out.count < count { out.append((b >> UInt8(bit)) & 1) }
                }
            } else {
                guard n >= 1 else { throw ParquetError("empty definition level run") }
                let value = try byte()
                out += repeatElement(value, count: min(n, count - out.count))
            }
        }
        return out
    }
}
