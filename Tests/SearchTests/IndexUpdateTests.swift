import CLIP
import Foundation
import GRDB
import Imaging
import TestSupport
import XCTest
@testable import Search

final class IndexUpdateTests: XCTestCase {
    private func storedBlobs(_ index: ImageIndex) throws -> [String: Data] {
        try index.database.read { db in
            var out: [String: Data] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, embedding FROM images WHERE embedding IS NOT NULL") {
                out[row[0]] = row[1]
            }
            return out
        }
    }

    func testStoredEmbeddingsAreTheEncoderOutputForEveryFileAcrossBatches() throws {
        let dir = try temporaryFolder(self)
        let paths = try Fixture.writeImages(5, to: dir.appendingPathComponent("photos/nested"))
        let model = try Fixture.model()
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        // Batches of 2: three batches, the later ones decoded while earlier ones encode.
        let report = try index.update(folder: dir.appendingPathComponent("photos").path, model: model, options: IndexOptions(batchSize: 2))
        XCTAssertEqual(report.added, 5)
        XCTAssertEqual(report.encoded, 5)
        let matrix = try index.embeddings(modelID: ModelIdentity.id(of: model))
        XCTAssertEqual(matrix.paths, paths.sorted())
        for (i, p) in matrix.paths.enumerated() {
            let want = Similarity.normalized(model.encodeImages([try ImageLoader.load(path: p)])[0])
            let row = Array(matrix.values[(i * matrix.dimension)..<((i + 1) * matrix.dimension)])
            for (a, b) in zip(row, want) { XCTAssertEqual(a, b, accuracy: 1e-5, "\(p)") }
        }
    }

    func testIndexingTwiceReEncodesNothingTheSecondTime() throws {
        let dir = try temporaryFolder(self)
        try Fixture.writeImages(4, to: dir.appendingPathComponent("photos"))
        let model = try Fixture.model()
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        try index.update(folder: dir.appendingPathComponent("photos").path, model: model)
        let before = try storedBlobs(index)
        var totals: [Int] = []
        let second = try index.update(folder: dir.appendingPathComponent("photos").path, model: model) { totals.append($0.total) }
        XCTAssertEqual(second.found, 4)
        XCTAssertEqual(second.unchanged, 4)
        XCTAssertEqual(second.added + second.modified, 0)
        XCTAssertEqual(totals, [0], "no file was queued for encoding")
        XCTAssertEqual(try storedBlobs(index), before)
    }

    func testModifiedFileIsReEncoded() throws {
        let dir = try temporaryFolder(self)
        let paths = try Fixture.writeImages(3, to: dir.appendingPathComponent("photos"))
        let model = try Fixture.model()
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        try index.update(folder: dir.appendingPathComponent("photos").path, model: model)
        // Replace img1 with another picture; pin the time so the change is visible even
        // within one clock tick.
        try ImageWriter.write(Fixture.image(seed: 99), to: paths[1])
        try Fixture.touch(paths[1], secondsSince1970: 1_000_000_000)
        let report = try index.update(folder: dir.appendingPathComponent("photos").path, model: model)
        XCTAssertEqual(report.modified, 1)
        XCTAssertEqual(report.unchanged, 2)
        let matrix = try index.embeddings(modelID: ModelIdentity.id(of: model))
        let hit = matrix.search(model.encodeImages([Fixture.image(seed: 99)])[0], k: 1)[0]
        XCTAssertEqual(hit.path, paths[1])
        XCTAssertEqual(hit.score, 1, accuracy: 1e-4, "the stored embedding is the new picture's")
    }

    func testRemovedFileIsDroppedAndOtherFoldersAreKept() throws {
        let dir = try temporaryFolder(self)
        let a = try Fixture.writeImages(3, to: dir.appendingPathComponent("a"))
        let b = try Fixture.writeImages(2, to: dir.appendingPathComponent("b"), seedOffset: 10)
        let model = try Fixture.model()
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        try index.update(folder: dir.appendingPathComponent("a").path, model: model)
        try index.update(folder: dir.appendingPathComponent("b").path, model: model)
        try FileManager.default.removeItem(atPath: a[0])
        let report = try index.update(folder: dir.appendingPathComponent("a").path, model: model)
        XCTAssertEqual(report.removed, [a[0]])
        XCTAssertEqual(try index.embeddings(modelID: ModelIdentity.id(of: model)).paths, Array(a.dropFirst()) + b)
    }

    func testCorruptFileIsReportedSkippedAndRetriedOnceReplaced() throws {
        let dir = try temporaryFolder(self)
        let photos = dir.appendingPathComponent("photos")
        let good = try Fixture.writeImages(2, to: photos)
        let bad = photos.appendingPathComponent("broken.jpg").path
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]).write(to: URL(fileURLWithPath: bad))
        let model = try Fixture.model()
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        let first = try index.update(folder: photos.path, model: model)
        XCTAssertEqual(first.failures.map(\.path), [bad])
        XCTAssertFalse(first.failures[0].reason.isEmpty)
        XCTAssertEqual(first.encoded, 2)
        XCTAssertEqual(try index.embeddings(modelID: ModelIdentity.id(of: model)).paths, good, "the corrupt file has no embedding")
        let second = try index.update(folder: photos.path, model: model)
        XCTAssertEqual(second.knownFailures.map(\.path), [bad], "still reported, not retried")
        XCTAssertEqual(second.added + second.modified, 0)
        try ImageWriter.write(Fixture.image(seed: 7), to: bad)
        try Fixture.touch(bad, secondsSince1970: 1_000_000_000)
        let third = try index.update(folder: photos.path, model: model)
        XCTAssertEqual(third.modified, 1)
        XCTAssertTrue(third.failures.isEmpty)
        XCTAssertEqual(try index.embeddings(modelID: ModelIdentity.id(of: model)).paths, ([bad] + good).sorted())
    }

    func testTwoModelsKeepSeparateRowsAndAMissingModelIsNamed() throws {
        let dir = try temporaryFolder(self)
        try Fixture.writeImages(2, to: dir.appendingPathComponent("photos"))
        let gelu = try Fixture.model("tiny-gelu-f16"), quick = try Fixture.model("tiny-quickgelu-f32")
        let path = dir.appendingPathComponent("i.sqlite").path
        let index = try ImageIndex(path: path, mode: .create)
        try index.update(folder: dir.appendingPathComponent("photos").path, model: gelu)
        XCTAssertEqual(try index.update(folder: dir.appendingPathComponent("photos").path, model: quick).added, 2)
        XCTAssertEqual(try index.models().map(\.imageCount), [2, 2])
        assertThrowsMessage([path, "no embeddings for model \"other\"", ModelIdentity.id(of: gelu)]) {
            _ = try index.embeddings(modelID: "other")
        }
    }

    func testSameModelIDWithAnotherDimensionIsRefused() throws {
        let dir = try temporaryFolder(self)
        try Fixture.writeImages(1, to: dir.appendingPathComponent("photos"))
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        try index.database.write { try $0.execute(sql: "INSERT INTO models (id, dimension) VALUES ('m', 7)") }
        assertThrowsMessage(["\"m\"", "7-d", "20-d"]) {
            try index.update(folder: dir.appendingPathComponent("photos").path, model: Fixture.model(), options: IndexOptions(modelID: "m"))
        }
    }

    func testMissingFolderIsOneLineError() throws {
        let dir = try temporaryFolder(self)
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        assertThrowsMessage(["/no/such/photos", "no such folder"]) {
            try index.update(folder: "/no/such/photos", model: Fixture.model())
        }
    }
}
