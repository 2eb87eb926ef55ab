import Foundation
import TestSupport
import XCTest
@testable import Search

/// `ImageIndex.importShards(folder:)` on the committed driver-written shard.
final class ShardImportTests: XCTestCase {
    static let modelID = "toy 4d logit_scale=4.6052"

    private func shardFolder(_ names: [String: String]) throws -> URL {
        let folder = try temporaryFolder(self).appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (fixture, name) in names {
            try FileManager.default.copyItem(at: ParquetFileTests.fixtures.appendingPathComponent(fixture), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    func testImportStoresEmbeddingsAndFailuresAndIsIdempotent() throws {
        let folder = try shardFolder(["index_shard.parquet": "shard-00000.parquet", "wrong_schema.parquet": ".shard-00001.parquet.tmp-1"])
        let index = try ImageIndex(path: folder.deletingLastPathComponent().appendingPathComponent("i.sqlite").path, mode: .create)
        let report = try index.importShards(folder: folder.path)
        XCTAssertEqual([report.shards, report.imported, report.failed], [1, 2, 1], "hidden temporaries are skipped")
        XCTAssertEqual(report.skipped.count, 1)
        XCTAssertTrue(report.skipped[0].hasPrefix("/photos/gone.jpg: "), report.skipped[0])
        XCTAssertEqual(report.modelIDs, [Self.modelID])
        XCTAssertEqual(try index.models(), [ImageIndex.ModelRecord(id: Self.modelID, dimension: 4, source: "/models/toy", imageCount: 2)])
        let matrix = try index.embeddings(modelID: Self.modelID)
        XCTAssertEqual(matrix.paths, ["/photos/a.png", "/photos/b.jpg"])
        let stored = try index.storedFiles(modelID: Self.modelID).sorted { $0.path < $1.path }
        XCTAssertEqual(stored.map(\.path), ["/photos/a.png", "/photos/b.jpg", "/photos/broken.jpg"])
        XCTAssertEqual(stored[0].size, 1234)
        XCTAssertEqual(stored[0].modifiedNanoseconds, 1_700_000_000_123_456_789)
        XCTAssertEqual(stored[2].error, "truncated JPEG image")
        _ = try index.importShards(folder: folder.path)
        XCTAssertEqual(try index.storedFiles(modelID: Self.modelID).count, 3, "a second import replaces, never duplicates")
    }

    func testWrongSchemaAndUnsupportedFilesNameTheFile() throws {
        for (fixture, fragment) in [("wrong_schema.parquet", "not an index shard"), ("unsupported_dictionary.parquet", "dictionary")] {
            let folder = try shardFolder([fixture: "shard-00000.parquet"])
            let index = try ImageIndex(path: folder.deletingLastPathComponent().appendingPathComponent("i.sqlite").path, mode: .create)
            XCTAssertThrowsError(try index.importShards(folder: folder.path)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("shard-00000.parquet") && message.contains(fragment), message)
            }
        }
        let empty = try shardFolder([:])
        let index = try ImageIndex(path: empty.deletingLastPathComponent().appendingPathComponent("i.sqlite").path, mode: .create)
        XCTAssertThrowsError(try index.importShards(folder: empty.path)) { XCTAssertTrue("\($0)".contains("no .parquet shards"), "\($0)") }
    }

    func testInMemoryIndexHoldsTheShardsAndWritesNoFile() throws {
        let folder = try shardFolder(["index_shard.parquet": "shard-00000.parquet"])
        let index = try ImageIndex(inMemoryNamed: folder.path)
        let report = try index.importShards(folder: folder.path)
        XCTAssertEqual([report.shards, report.imported, report.failed], [1, 2, 1])
        XCTAssertEqual(try index.embeddings(modelID: Self.modelID).paths, ["/photos/a.png", "/photos/b.jpg"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["shard-00000.parquet"], "nothing written beside the shards")
    }
}
