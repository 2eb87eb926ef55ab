@testable import CLIP
import TestSupport
import XCTest

final class PromptEmbeddingCacheTests: XCTestCase {
    /// Counts the sentences an encoder is asked for; embeds "word" as a vector from its bytes.
    final class Encoder {
        var calls: [[String]] = []
        func encode(_ sentences: [String]) -> [[Float]] {
            calls.append(sentences)
            return sentences.map { s in (0..<4).map { Float(Array(s.utf8)[($0 * 7) % s.utf8.count]) + Float($0) } }
        }
    }

    func testSameAsPromptEnsembleAndEncodesOnlyMisses() {
        let cache = PromptEmbeddingCache(capacity: 10)
        let enc = Encoder()
        let templates = ["a photo of a {}.", "a {}"]
        let got = cache.embeddings(for: ["cat", "dog"], templates: templates, model: "m", encode: enc.encode)
        XCTAssertEqual(got, Similarity.promptEnsemble(["cat", "dog"], templates: templates, encode: Encoder().encode))
        let again = cache.embeddings(for: ["dog", "bird", "cat"], templates: templates, model: "m", encode: enc.encode)
        XCTAssertEqual(enc.calls, [["a photo of a cat.", "a cat", "a photo of a dog.", "a dog"], ["a photo of a bird.", "a bird"]])
        XCTAssertEqual(again, Similarity.promptEnsemble(["dog", "bird", "cat"], templates: templates, encode: Encoder().encode))
        XCTAssertEqual(cache.statistics, .init(hits: 2, misses: 3, count: 3))
        // Another model or other templates never share an entry.
        _ = cache.embeddings(for: ["cat"], templates: templates, model: "other", encode: enc.encode)
        _ = cache.embeddings(for: ["cat"], templates: ["{}"], model: "m", encode: enc.encode)
        XCTAssertEqual(enc.calls.count, 4)
    }

    func testEvictsTheLeastRecentlyUsed() {
        let cache = PromptEmbeddingCache(capacity: 2)
        let enc = Encoder()
        _ = cache.embeddings(for: ["a"], templates: ["{}"], model: "m", encode: enc.encode)
        _ = cache.embeddings(for: ["b"], templates: ["{}"], model: "m", encode: enc.encode)
        _ = cache.embeddings(for: ["a"], templates: ["{}"], model: "m", encode: enc.encode)   // a is now the newest
        _ = cache.embeddings(for: ["c"], templates: ["{}"], model: "m", encode: enc.encode)   // evicts b
        XCTAssertEqual(enc.calls, [["a"], ["b"], ["c"]])
        _ = cache.embeddings(for: ["a", "c"], templates: ["{}"], model: "m", encode: enc.encode)
        XCTAssertEqual(enc.calls.count, 3)
        _ = cache.embeddings(for: ["b"], templates: ["{}"], model: "m", encode: enc.encode)
        XCTAssertEqual(enc.calls.last, ["b"])
        XCTAssertEqual(cache.statistics.count, 2)
    }
}
