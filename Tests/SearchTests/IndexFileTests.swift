import Foundation
import GRDB
import TestSupport
import XCTest
@testable import Search

final class IndexFileTests: XCTestCase {
    func testMissingIndexIsNotCreatedWhenReading() throws {
        let path = try temporaryFolder(self).appendingPathComponent("none.sqlite").path
        assertThrowsMessage([path, "no such index", "update(folder:model:)"]) { _ = try ImageIndex(path: path, mode: .readOnly) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testNonSQLiteFileIsRejectedNamingIt() throws {
        let path = try temporaryFolder(self).appendingPathComponent("notes.sqlite").path
        try Data(String(repeating: "not a database ", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        assertThrowsMessage([path, "not a usable index"]) { _ = try ImageIndex(path: path, mode: .create) }
        assertThrowsMessage([path]) { _ = try ImageIndex(path: path, mode: .readOnly) }
    }

    func testSomeoneElsesDatabaseIsLeftAlone() throws {
        let path = try temporaryFolder(self).appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE songs (title TEXT)") }
        assertThrowsMessage([path, "not a clipdetect index"]) { _ = try ImageIndex(path: path, mode: .create) }
        let tables = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        XCTAssertEqual(tables, ["songs"])
    }

    func testEmptyIndexSaysToRunIndexFirst() throws {
        let path = try temporaryFolder(self).appendingPathComponent("i.sqlite").path
        let index = try ImageIndex(path: path, mode: .create)
        assertThrowsMessage([path, "no embeddings yet"]) { _ = try index.embeddings(modelID: "m") }
    }

    func testDamagedEmbeddingBlobIsReportedNotMisread() throws {
        let path = try temporaryFolder(self).appendingPathComponent("i.sqlite").path
        let index = try ImageIndex(path: path, mode: .create)
        try index.database.write { db in
            try db.execute(sql: "INSERT INTO models (id, dimension) VALUES ('m', 4)")
            try db.execute(sql: "INSERT INTO images VALUES ('/x.jpg', 'm', 1, 1, ?, NULL)", arguments: [Data(count: 12)])
        }
        assertThrowsMessage([path, "/x.jpg", "not 4 float32"]) { _ = try index.embeddings(modelID: "m") }
    }
}
