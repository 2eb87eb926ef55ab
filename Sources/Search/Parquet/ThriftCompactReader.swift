/// A value of the Thrift compact protocol, decoded without a schema: Parquet's footer
/// (`FileMetaData`) and page headers are structs of these, read generically and then picked
/// apart by field id (`ParquetMetadata`), so unknown or newer fields are skipped for free.
enum ThriftValue: Equatable {
    case bool(Bool)
    /// i8, i16, i32 and i64 (zigzag varints, or one byte for i8).
    case int(Int64)
    case double(Double)
    case binary(ArraySlice<UInt8>)
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    /// Field id → value.
    case structure([Int16: ThriftValue])

    static func == (a: ThriftValue, b: ThriftValue) -> Bool {
        switch (a, b) {
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.binary(x), .binary(y)): return x.elementsEqual(y)
        case let (.list(x), .list(y)): return x == y
        case let (.map(x), .map(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.structure(x), .structure(y)): return x == y
        default: return false
        }
    }
}

/// Reads Thrift compact-protocol structs from a byte range, checking every length against the
/// bytes left and nesting against a fixed depth, so malformed input ends in a `ParquetError`
/// rather than a crash or a huge allocation.
///
/// ```swift
/// var reader = ThriftCompactReader(bytes: footer[...])
/// let fileMetaData = try reader.readStruct()      // [fieldID: ThriftValue]
/// ```
///
/// Wire format (Apache Thrift compact protocol): a field header byte holds the id delta (high
/// nibble; 0 = a zigzag i16 id follows) and the type (low nibble; 0 ends the struct); integers
/// are zigzag ULEB128 varints; binary is a varint length and the bytes; a list header holds
/// the size (high nibble, 15 = a varint size follows) and the element type; booleans in a
/// field live in the type nibble (1 true, 2 false), in a list they are one byte each.
struct ThriftCompactReader {
    private let bytes: ArraySlice<UInt8>
    /// Index of the next byte to read (an index into the slice's base, as slices keep them).
    private(set) var position: Int
    static let maxDepth = 32

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// Bytes consumed so far.
    var consumed: Int { position - bytes.startIndex }

    /// Reads one struct (fields until the stop byte).
    mutating func readStruct() throws -> [Int16: ThriftValue] {
        guard case .structure(let fields) = try readValue(type: 12, depth: 0) else { throw ParquetError("not a struct") }
        return fields
    }

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.endIndex else { throw ParquetError("Thrift data ends early (truncated metadata)") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let b = try byte()
            guard shift < 63 || b <= 1 else { throw ParquetError("Thrift varint longer than 64 bits") }
            result |= UInt64(b & 0x7F) << UInt64(shift)
            if b & 0x80 == 0 { return result }
        }
        throw ParquetError("Thrift varint longer than 64 bits")
    }

    private mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    /// A collection size, at most the bytes left (every element takes at least one byte).
    private mutating func size() throws -> Int {
        let n = try varint()
        guard n <= UInt64(bytes.endIndex - position) else { throw ParquetError("Thrift size \(n) exceeds the bytes left (truncated or damaged metadata)") }
        return Int(n)
    }

    private mutating func readValue(type: UInt8, depth: Int) throws -> ThriftValue {
        guard depth < Self.maxDepth else { throw ParquetError("Thrift nesting deeper than \(Self.maxDepth)") }
        switch type {
        case 1, 2:
            // A boolean outside a field header (list element): one byte, 1 = true.
            return .bool(try byte() == 1)
        case 3:
            return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6:
            return .int(try zigzag())
        case 7:
            guard bytes.endIndex - position >= 8 else { throw ParquetError("Thrift data ends early (truncated metadata)") }
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(bytes[position + i]) << UInt64(8 * i) }
            position += 8
            return .double(Double(bitPattern: bits))
        case 8:
            let n = try size()
            defer { position += n }
            return .binary(bytes[position..<position + n])
        case 9, 10:
            let header = try byte()
            var n = Int(header >> 4)
            if n == 15 { n = try size() }
            let element = header & 0x0F
            var items: [ThriftValue] = []
            items.reserveCapacity(min(n, 1024))
            for _ in 0..<n { items.append(try readValue(type: element, depth: depth + 1)) }
            return .list(items)
        case 11:
            let n = try size()
            guard n > 0 else { return .map([]) }
            let kinds = try byte()
            var pairs: [(ThriftValue, ThriftValue)] = []
            for _ in 0..<n {
                let key = try readValue(type: kinds >> 4, depth: depth + 1)
                pairs.append((key, try readValue(type: kinds & 0x0F, depth: depth + 1)))
            }
            return .map(pairs)
        case 12:
            var fields: [Int16: ThriftValue] = [:]
            var last: Int16 = 0
            while true {
                let header = try byte()
                let kind = header & 0x0F
                if kind == 0 { return .structure(fields) }
                let delta = Int16(header >> 4)
                if delta == 0 {
                    let id = try zigzag()
                    guard let id16 = Int16(exactly: id) else { throw ParquetError("Thrift field id \(id) out of range") }
                    last = id16
                } else {
                    let (sum, overflow) = last.addingReportingOverflow(delta)
                    guard !overflow else { throw ParquetError("Thrift field id out of range") }
                    last = sum
                }
                fields[last] = try kind == 1 || kind == 2 ? .bool(kind == 1) : readValue(type: kind, depth: depth + 1)
            }
        default:
            throw ParquetError("unknown Thrift type \(type) (damaged metadata)")
        }
    }
}
