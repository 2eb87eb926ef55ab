import Foundation
import TestSupport
import XCTest
@testable import Search

/// The strict Parquet reader on files pyarrow wrote (`tools/ray/fixtures/make_parquet_fixtures.py`)
/// and on malformed bytes.
final class ParquetFileTests: XCTestCase {
    static let fixtures = TestFixtures.packageRoot.appendingPathComponent("tools/ray/fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    private func assertRejects(_ bytes: [UInt8], mentioning fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ParquetFile(bytes: bytes), file: file, line: line) { error in
            guard let e = error as? ParquetError else { return XCTFail("not a ParquetError: \(error)", file: file, line: line) }
            XCTAssertTrue(e.message.contains(fragment), "\"\(e.message)\" should mention \"\(fragment)\"", file: file, line: line)
            XCTAssertFalse(e.message.contains("\n"), file: file, line: line)
        }
    }

    func testIndexShardAsTheDriverWritesIt() throws {
        let table = try ParquetFile(bytes: try Self.bytes("index_shard.parquet"))
        XCTAssertEqual(table.rowCount, 4)
        XCTAssertEqual(table.columns.map(\.name), ["path", "size", "mtime_ns", "model", "model_source", "embedding", "error"])
        XCTAssertEqual(table.columns.map(\.optional), [false, true, true, true, true, true, true])
        XCTAssertEqual(try table.column("path"), ["/photos/a.png", "/photos/b.jpg", "/photos/broken.jpg", "/photos/gone.jpg"].map { .bytes(Array($0.utf8)) })
        XCTAssertEqual(try table.column("size"), [.int64(1234), .int64(99), .int64(7), nil])
        XCTAssertEqual(try table.column("mtime_ns")[0], .int64(1_700_000_000_123_456_789))
        guard case .bytes(let blob)?? = try table.column("embedding").first else { return XCTFail("no embedding") }
        XCTAssertEqual(IndexRecord.embedding(fromBytes: Data(blob), dimension: 4), [1.0, -0.5, 0.25, 3.0])
        XCTAssertEqual(try table.column("embedding")[2], nil)
        XCTAssertEqual(try table.column("error")[2], .bytes(Array("truncated JPEG image".utf8)))
    }

    /// Every supported type, nulls, 3 row groups and several pages per chunk against the
    /// values the script wrote (types_pages.json).
    func testTypesRowGroupsAndPagesMatchTheWrittenValues() throws {
        let table = try ParquetFile(bytes: try Self.bytes("types_pages.parquet"))
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("types_pages.json"))) as! [String: [Any]]
        XCTAssertEqual(table.rowCount, 50)
        func check(_ name: String, _ convert: (Any) -> ParquetValue) throws {
            let want = expected[name]!.map { $0 is NSNull ? nil : convert($0) }
            XCTAssertEqual(try table.column(name), want, name)
        }
        try check("i32") { .int32(Int32(($0 as! NSNumber).intValue)) }
        try check("i64") { .int64(($0 as! NSNumber).int64Value) }
        try check("f") { .float(Float(($0 as! NSNumber).doubleValue)) }
        try check("d") { .double(Double($0 as! String)!) }   // hex floats, exact
        try check("s") { .bytes(Array(($0 as! String).utf8)) }
        XCTAssertThrowsError(try table.column("nope"))
    }

    func testFilesOutsideTheSubsetNameWhatIsUnsupported() throws {
        assertRejects(try Self.bytes("unsupported_snappy.parquet"), mentioning: "compression codec")
        assertRejects(try Self.bytes("unsupported_dictionary.parquet"), mentioning: "dictionary")
        assertRejects(try Self.bytes("unsupported_v2.parquet"), mentioning: "page type")
        assertRejects(try Self.bytes("unsupported_nested.parquet"), mentioning: "nested")
    }

    /// index_shard.parquet with 2^40 rows in the footer, its row group and every chunk (the
    /// parquet fuzz target's regression input): refused before anything is allocated.
    func testAFooterClaimingMoreRowsThanTheFileCanHoldIsRefused() throws {
        let hostile = Array(try Data(contentsOf: TestFixtures.packageRoot.appendingPathComponent("Tests/Fuzz/Targets/parquet/regressions/rows_2p40.parquet")))
        assertRejects(hostile, mentioning: "footer claims 1099511627776 rows of 7 columns")
    }

    func testMalformedBytesAreOneLineErrors() throws {
        let good = try Self.bytes("index_shard.parquet")
        assertRejects([], mentioning: "too short")
        assertRejects(Array("PAR1PAR1".utf8), mentioning: "too short")
        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        assertRejects(badMagic, mentioning: "magic")
        assertRejects(Array(good.dropLast(10)), mentioning: "magic")
        // Footer length past the file.
        var longFooter = good
        longFooter[good.count - 5] = 0x7F
        assertRejects(longFooter, mentioning: "footer length")
        // Every truncation of the data with the original footer kept: no crash, an error or a
        // shorter file that still parses (never a trap).
        let footerLength = Int(good[good.count - 8]) | Int(good[good.count - 7]) << 8
        let tail = Array(good.suffix(footerLength + 8))
        for cut in stride(from: 4, to: good.count - tail.count, by: 7) {
            _ = try? ParquetFile(bytes: Array(good.prefix(cut)) + tail)
        }
        // Damaged bytes anywhere: errors, not traps.
        for i in stride(from: 0, to: good.count, by: 3) {
            var damaged = good
            damaged[i] ^= 0xA5
            _ = try? ParquetFile(bytes: damaged)
        }
    }

    func testThriftReaderRejectsOverlongSizesAndDeepNesting() {
        // A struct whose field 1 is a binary claiming 100 bytes with 1 left.
        var r = ThriftCompactReader(bytes: [0x18, 100, 0x41][...])
        XCTAssertThrowsError(try r.readStruct()) { XCTAssertTrue("\($0)".contains("exceeds the bytes left"), "\($0)") }
        // Nested structs (field 1, type struct) 40 deep.
        var deep = ThriftCompactReader(bytes: ArraySlice(Array(repeating: 0x1C, count: 40) + Array(repeating: 0, count: 41)))
        XCTAssertThrowsError(try deep.readStruct()) { XCTAssertTrue("\($0)".contains("nesting"), "\($0)") }
        // Field 1 = i32 -3 (zigzag 5), field 2 = true, stop.
        var ok = ThriftCompactReader(bytes: [0x15, 5, 0x11, 0][...])
        XCTAssertEqual(try ok.readStruct(), [1: .int(-3), 2: .bool(true)])
    }
}
