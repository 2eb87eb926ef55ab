import Foundation
import TestSupport
import XCTest

/// classify, index, search and similarity, through the built binary.
final class SearchCommandTests: XCTestCase {
    static let sampleNames = ["baboon.jpg", "fruits.jpg", "messi.jpg", "grey.png"]

    /// Copies the sample images into `<dir>/photos` (one in a subfolder); returns their paths.
    private func photos(_ dir: URL) throws -> [String] {
        let src = CLI.packageRoot.appendingPathComponent("Tests/CLIPTests/Fixtures/preprocess")
        let photos = dir.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("sub"), withIntermediateDirectories: true)
        return try Self.sampleNames.enumerated().map { i, name in
            let dst = (i == 3 ? photos.appendingPathComponent("sub") : photos).appendingPathComponent(name)
            try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: dst)
            return dst.path
        }
    }

    private func index(_ dir: URL, extra: [String] = []) throws -> CLIRun {
        try CLI.run(["index", dir.appendingPathComponent("photos").path, "--index", dir.appendingPathComponent("p.sqlite").path,
                     "--model", CLI.fixtureModel()] + extra)
    }

    struct Hit: Decodable, Equatable { var path: String; var score: Double }
    struct Classified: Decodable { var image: String; var probabilities: [String: Double] }
    struct Summary: Decodable { var found, added, modified, unchanged, removed, failed: Int }

    func testIndexThenSearchByImageRanksThatImageFirstWithScoreOne() throws {
        let dir = try temporaryFolder(self)
        let paths = try photos(dir)
        let r = try index(dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("4 added"), r.stdout)
        let s = try CLI.run(["search", "--image", paths[2], "--index", dir.appendingPathComponent("p.sqlite").path, "--top", "3", "--json"])
        XCTAssertEqual(s.status, 0, s.stderr)
        let hits = try JSONDecoder().decode([Hit].self, from: s.stdoutData)
        XCTAssertEqual(hits.count, 3)
        XCTAssertEqual(hits[0].path, paths[2])
        XCTAssertEqual(hits[0].score, 1, accuracy: 1e-4)
        XCTAssertEqual(hits.map(\.score), hits.map(\.score).sorted(by: >), "best first")
    }

    func testSecondIndexRunSkipsEverythingAndReportsRemovals() throws {
        let dir = try temporaryFolder(self)
        let paths = try photos(dir)
        XCTAssertEqual(try index(dir).status, 0)
        let again = try index(dir, extra: ["--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let s1 = try JSONDecoder().decode(Summary.self, from: again.stdoutData)
        XCTAssertEqual([s1.found, s1.added, s1.modified, s1.unchanged], [4, 0, 0, 4])
        try FileManager.default.removeItem(atPath: paths[3])
        let s2 = try JSONDecoder().decode(Summary.self, from: try index(dir, extra: ["--json"]).stdoutData)
        XCTAssertEqual([s2.found, s2.removed], [3, 1])
    }

    func testTextSearchWithoutModelReloadsTheIndexModelAndWritesASheet() throws {
        let dir = try temporaryFolder(self)
        _ = try photos(dir)
        XCTAssertEqual(try index(dir).status, 0)
        let sheet = dir.appendingPathComponent("sheet.png").path
        let s = try CLI.run(["search", "a giraffe", "--index", dir.appendingPathComponent("p.sqlite").path, "--top", "3", "--sheet", sheet])
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(s.stdout.split(separator: "\n").filter { $0.hasPrefix(" ") }.count, 3, s.stdout)
        // PNG: width and height are the big-endian words at bytes 16 and 20 (IHDR).
        let png = try Data(contentsOf: URL(fileURLWithPath: sheet))
        let size = [16, 20].map { o in png[o..<(o + 4)].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual(size, [8 + 2 * 200, 8 + 2 * 244], "4 tiles: 2 × 2 grid")
    }

    func testCorruptFileIsListedAndSkipped() throws {
        let dir = try temporaryFolder(self)
        _ = try photos(dir)
        let bad = dir.appendingPathComponent("photos/sub/broken.jpg")
        try Data("this is not a jpeg".utf8).write(to: bad)
        let r = try index(dir, extra: ["--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: skipped \(bad.path)"), r.stderr)
        let s = try JSONDecoder().decode(Summary.self, from: r.stdoutData)
        XCTAssertEqual([s.found, s.added, s.failed], [5, 5, 1], r.stderr)
    }

    func testClassifyJSONHasTheDocumentedShapeAndProbabilitiesSumToOne() throws {
        let dir = try temporaryFolder(self)
        let paths = try photos(dir)
        let r = try CLI.run(["classify", paths[0], paths[1], "--classes", "cat, dog,car", "--model", CLI.fixtureModel(), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try JSONDecoder().decode([Classified].self, from: r.stdoutData)
        XCTAssertEqual(out.map(\.image), [paths[0], paths[1]])
        for c in out {
            XCTAssertEqual(Set(c.probabilities.keys), ["cat", "dog", "car"])
            XCTAssertEqual(c.probabilities.values.reduce(0, +), 1, accuracy: 1e-5)
        }
        let top = try CLI.run(["classify", paths[0], "--classes", "cat,dog,car", "--model", CLI.fixtureModel(), "--top", "1", "--json"])
        XCTAssertEqual(try JSONDecoder().decode([Classified].self, from: top.stdoutData)[0].probabilities.count, 1)
    }

    func testSimilarityOfAnImageWithItselfIsOne() throws {
        let dir = try temporaryFolder(self)
        let paths = try photos(dir)
        let r = try CLI.run(["similarity", paths[0], paths[0], "--model", CLI.fixtureModel()])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(Double(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 1, accuracy: 1e-4)
    }

    func testBadInputsAreOneErrorLine() throws {
        let dir = try temporaryFolder(self)
        let paths = try photos(dir)
        let missingIndex = dir.appendingPathComponent("none.sqlite").path
        assertCleanFailure(try CLI.run(["search", "cat", "--index", missingIndex]), mentions: [missingIndex, "no such index"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: missingIndex), "search never creates an index")
        assertCleanFailure(try CLI.run(["classify", paths[0], "--classes", " , ", "--model", CLI.fixtureModel()]), mentions: ["--classes is empty"])
        assertCleanFailure(try CLI.run(["classify", "/no/such.jpg", "--classes", "cat", "--model", CLI.fixtureModel()]), mentions: ["/no/such.jpg"])
        assertCleanFailure(try CLI.run(["classify", paths[0], "--classes", "cat", "--template", "photo", "--model", CLI.fixtureModel()]),
                           mentions: ["exactly one {}"])
        assertCleanFailure(try CLI.run(["similarity", paths[0], "/no/such.jpg", "--model", CLI.fixtureModel()]), mentions: ["/no/such.jpg"])
        assertCleanFailure(try CLI.run(["index", "/no/such/dir", "--index", missingIndex, "--model", CLI.fixtureModel()]), mentions: ["/no/such/dir"])
        XCTAssertEqual(try index(dir).status, 0)
        let db = dir.appendingPathComponent("p.sqlite").path
        assertCleanFailure(try CLI.run(["search", "--index", db]), mentions: ["no query"])
        assertCleanFailure(try CLI.run(["search", "cat", "--image", paths[0], "--index", db]), mentions: ["not both"])
        assertCleanFailure(try CLI.run(["search", "cat", "--index", db, "--sheet", dir.appendingPathComponent("s.gif").path]), mentions: ["--sheet", ".png"])
        assertCleanFailure(try CLI.run(["search", "cat", "--index", db, "--model", CLI.fixtureModel("tiny-quickgelu-f32")]),
                           mentions: ["no embeddings for model", "tiny-gelu-f16"])
    }
}
