import CLIP
import Foundation
import Imaging
import TestSupport
import XCTest
@testable import Search

final class SearchOrderTests: XCTestCase {
    func testTopKEqualsAFullSortOnRandomScoresWithTies() {
        var rng: UInt64 = 77
        for (count, dim, k) in [(1, 3, 1), (50, 8, 5), (1000, 16, 10), (300, 4, 300), (20, 2, 50)] {
            let matrix = (0..<(count * dim)).map { _ -> Float in
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int(rng >> 61)) - 3  // few distinct values: many ties
            }
            let query = (0..<dim).map { Float($0 % 3) - 1 }
            let scores = (0..<count).map { r in (0..<dim).reduce(Float(0)) { $0 + matrix[r * dim + $1] * query[$1] } }
            let want = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }.prefix(k)
            let got = Similarity.topK(query: query, matrix: matrix, count: count, k: k)
            XCTAssertEqual(got.map(\.index), Array(want), "count \(count) k \(k)")
            XCTAssertEqual(got.map(\.score), want.map { scores[$0] })
        }
        XCTAssertTrue(Similarity.topK(query: [1], matrix: [1, 2], count: 2, k: 0).isEmpty)
    }

    func testMatrixSearchRanksByCosineNotByLength() {
        let m = EmbeddingMatrix(paths: ["long-off", "short-on", "opposite", "zero"], dimension: 2,
                                unnormalized: [10, 5, 0.1, 0, -3, 0, 0, 0])
        let hits = m.search([2, 0], k: 4)
        XCTAssertEqual(hits.map(\.path), ["short-on", "long-off", "zero", "opposite"])
        XCTAssertEqual(hits[0].score, 1, accuracy: 1e-6)
        XCTAssertEqual(hits[1].score, Float(10 / (125.0).squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(hits[2].score, 0)
        XCTAssertEqual(hits[3].score, -1, accuracy: 1e-6)
    }

    func testImageQueryOverAnIndexedSetRanksItselfFirstThenByCosine() throws {
        let dir = try temporaryFolder(self)
        let paths = try Fixture.writeImages(6, to: dir.appendingPathComponent("photos"))
        let model = try Fixture.model()
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        try index.update(folder: dir.appendingPathComponent("photos").path, model: model, options: IndexOptions(batchSize: 4))
        let searcher = try ImageSearcher(index: try ImageIndex(path: index.path, mode: .readOnly), model: model)
        let query = try ImageLoader.load(path: paths[3])
        let hits = searcher.search(image: query, k: 6)
        XCTAssertEqual(hits.first?.path, paths[3])
        XCTAssertEqual(hits.first?.score ?? 0, 1, accuracy: 1e-4)
        // The rest in the order of cosines computed independently from fresh embeddings.
        let q = model.encodeImages([query])[0]
        let cos = try paths.map { Similarity.cosine(q, model.encodeImages([try ImageLoader.load(path: $0)])[0]) }
        XCTAssertEqual(hits.map(\.path), paths.indices.sorted { cos[$0] > cos[$1] }.map { paths[$0] })
        for h in hits { XCTAssertEqual(h.score, cos[paths.firstIndex(of: h.path)!], accuracy: 1e-4) }
    }

    func testTextQueryScoresAreCosinesWithTheRawTextEmbedding() throws {
        let dir = try temporaryFolder(self)
        let paths = try Fixture.writeImages(4, to: dir.appendingPathComponent("photos"))
        let model = try Fixture.model()
        let index = try ImageIndex(path: dir.appendingPathComponent("i.sqlite").path, mode: .create)
        try index.update(folder: dir.appendingPathComponent("photos").path, model: model)
        let hits = try ImageSearcher(index: index, model: model).search(text: "a red star", k: 2)
        let t = try model.encodeTexts(["a red star"])[0]
        let cos = try paths.map { Similarity.cosine(t, model.encodeImages([try ImageLoader.load(path: $0)])[0]) }
        let order = paths.indices.sorted { cos[$0] > cos[$1] }
        XCTAssertEqual(hits.map(\.path), order.prefix(2).map { paths[$0] })
        XCTAssertEqual(hits[0].score, cos[order[0]], accuracy: 1e-4)
        assertThrowsMessage(["empty"]) { _ = try ImageSearcher(index: index, model: model).search(text: "  ", k: 2) }
    }
}
