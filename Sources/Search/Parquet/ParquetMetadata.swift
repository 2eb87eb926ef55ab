/// A failure to read a Parquet file: one line saying what is wrong or unsupported (the caller
/// adds the file name, as `ParquetFile` does).
public struct ParquetError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String { message }
}

/// Parquet's physical types that `ParquetFile` reads (`parquet.thrift` `Type` numbers).
public enum ParquetPhysicalType: Int, Sendable {
    case int32 = 1, int64 = 2, float = 4, double = 5, byteArray = 6
}

/// The parts of Parquet's `FileMetaData` the reader needs, taken from the generic Thrift
/// structs by field id (`parquet.thrift`), with every unsupported feature refused by name.
struct ParquetMetadata {
    struct Column {
        var name: String
        var type: ParquetPhysicalType
        var optional: Bool
    }

    struct Chunk {
        /// First byte (of the first data page) and byte count.
        var offset: Int
        var length: Int
        var valueCount: Int
    }

    var columns: [Column]
    var rowCount: Int
    /// Per row group: its row count and one chunk per column, in schema order.
    var rowGroups: [(rows: Int, chunks: [Chunk])]

    /// The most values (rows × columns) read per byte of data. A shard of the Ray driver holds
    /// a path of at least 4 bytes per row, so it stays far below.
    static let maxValuesPerByte = 8

    /// - Parameter fileSize: bytes before the footer (where the pages lie).
    init(_ meta: [Int16: ThriftValue], fileSize: Int) throws {
        guard case .list(let schema)? = meta[2], schema.count >= 2 else { throw ParquetError("footer has no schema columns") }
        guard case .structure(let root) = schema[0], case .int(let children)? = root[5], children == Int64(schema.count - 1) else {
            throw ParquetError("unsupported schema: only a flat list of columns is read (no nested groups)")
        }
        let columns = try schema.dropFirst().map { (element: ThriftValue) throws -> Column in
            guard case .structure(let e) = element else { throw ParquetError("schema element is not a struct") }
            let name = try Self.string(e[4], "schema element name")
            if e[5] != nil { throw ParquetError("unsupported schema: column \(name) is a nested group") }
            guard case .int(let t)? = e[1], let type = ParquetPhysicalType(rawValue: Int(t)) else {
                throw ParquetError("unsupported type for column \(name) (read: INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY)")
            }
            let repetition = try Self.int(e[3] ?? .int(0), "repetition of \(name)")
            guard repetition == 0 || repetition == 1 else { throw ParquetError("unsupported schema: column \(name) is repeated (lists are not read)") }
            return Column(name: name, type: type, optional: repetition == 1)
        }
        self.columns = columns
        rowCount = try Self.count(meta[3], "num_rows")
        // Every value costs at least one bit of the file, except nulls in a run-length run: a
        // footer claiming more is corrupt or hostile, and would make the reader allocate
        // without bound before it reached the data.
        guard rowCount <= Self.maxValuesPerByte * fileSize / columns.count else {
            throw ParquetError("footer claims \(rowCount) rows of \(columns.count) columns in \(fileSize) bytes of data (more than \(Self.maxValuesPerByte) values per byte; corrupt?)")
        }
        guard case .list(let groups)? = meta[4] else { throw ParquetError("footer has no row groups list") }
        if meta[8] != nil { throw ParquetError("unsupported: encrypted file") }
        var total = 0
        var rowGroups: [(rows: Int, chunks: [Chunk])] = []
        for group in groups {
            guard case .structure(let g) = group, case .list(let chunks)? = g[1], chunks.count == columns.count else {
                throw ParquetError("row group does not have one chunk per column")
            }
            let rows = try Self.count(g[3], "row group num_rows")
            guard rows <= rowCount - total else { throw ParquetError("row groups hold more rows than the footer's \(rowCount)") }
            total += rows
            let parsed = try zip(chunks, columns).map { chunk, column -> Chunk in
                guard case .structure(let c) = chunk else { throw ParquetError("column chunk is not a struct") }
                if case .binary(let external)? = c[1], !external.isEmpty { throw ParquetError("unsupported: column \(column.name) is stored in another file") }
                if c[8] != nil || c[9] != nil { throw ParquetError("unsupported: column \(column.name) is encrypted") }
                guard case .structure(let m)? = c[3] else { throw ParquetError("column \(column.name) has no metadata") }
                guard try Self.int(m[1], "type of \(column.name)") == column.type.rawValue else {
                    throw ParquetError("column \(column.name): chunk type differs from the schema")
                }
                if case .list(let path)? = m[3], path.count == 1, case .binary(let p) = path[0], String(decoding: p, as: UTF8.self) == column.name {} else {
                    throw ParquetError("column \(column.name): chunk path differs from the schema")
                }
                let codec = try Self.int(m[4], "codec of \(column.name)")
                guard codec == 0 else { throw ParquetError("unsupported compression codec \(codec) in column \(column.name) (write with compression=\"none\")") }
                if m[11] != nil { throw ParquetError("unsupported: column \(column.name) has a dictionary page (write with use_dictionary=False)") }
                let offset = try Self.count(m[9], "data_page_offset of \(column.name)")
                let length = try Self.count(m[7], "total_compressed_size of \(column.name)")
                guard offset >= 4, length <= fileSize - offset else { throw ParquetError("column \(column.name): chunk lies outside the file") }
                let values = try Self.count(m[5], "num_values of \(column.name)")
                guard values == rows else { throw ParquetError("column \(column.name): \(values) values in a row group of \(rows) rows") }
                return Chunk(offset: offset, length: length, valueCount: values)
            }
            rowGroups.append((rows, parsed))
        }
        self.rowGroups = rowGroups
        guard total == rowCount else { throw ParquetError("row groups hold \(total) rows, footer says \(rowCount)") }
    }

    static func int(_ v: ThriftValue?, _ what: String) throws -> Int {
        guard case .int(let x)? = v, let i = Int(exactly: x) else { throw ParquetError("missing or bad \(what)") }
        return i
    }

    /// A non-negative integer field.
    static func count(_ v: ThriftValue?, _ what: String) throws -> Int {
        let i = try int(v, what)
        guard i >= 0 else { throw ParquetError("negative \(what)") }
        return i
    }

    static func string(_ v: ThriftValue?, _ what: String) throws -> String {
        guard case .binary(let b)? = v else { throw ParquetError("missing \(what)") }
        return String(decoding: b, as: UTF8.self)
    }
}
