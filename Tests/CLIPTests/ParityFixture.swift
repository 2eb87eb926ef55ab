import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// A golden fixture folder written by the fixture scripts (`Fixtures/fixture_common.py`): the
/// model files, `reference.json` (transformers' outputs) and `reference_inputs.safetensors`.
/// The parity tolerances are the spec's: cosine ≥ 0.99999 and max |error| ≤ 1e-4 · ‖reference‖.
///
/// ```swift
/// let fixture = ParityFixture(SourceTree.model("tiny-gelu-f16"))
/// try fixture.assertImageFeaturesMatch()
/// ```
struct ParityFixture {
    struct Reference: Decodable {
        struct Text: Decodable { var text: String; var ids: [Int32]; var embedding: [Double] }
        var logit_scale: Double
        var image_embeds: [[Double]]
        var texts: [Text]
        /// Chinese-CLIP fixtures only.
        var context_length: Int?
        var photo_embed: [Double]?
    }

    let folder: URL
    var name: String { folder.lastPathComponent }

    init(_ folder: URL) { self.folder = folder }

    func reference() throws -> Reference {
        let data = try Data(contentsOf: folder.appendingPathComponent("reference.json"))
        return try JSONDecoder().decode(Reference.self, from: data)
    }

    func inputs() throws -> SafetensorsFile {
        try SafetensorsFile(url: folder.appendingPathComponent("reference_inputs.safetensors"))
    }

    func model() throws -> CLIPModel { try CLIPModel(folder: folder) }

    /// `pixel_values` through the vision tower at batch 1 and all at once (buffer reuse across
    /// calls) against `image_embeds`, and the logit scale.
    func assertImageFeaturesMatch(file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try model(), ref = try reference()
        let pixels = try inputs().floats("pixel_values")
        for bs in [1, ref.image_embeds.count] {
            let got = pixels.withUnsafeBufferPointer {
                model.imageFeatures(pixelValues: $0, count: ref.image_embeds.count, batchSize: bs)
            }
            for (i, want) in ref.image_embeds.enumerated() {
                assertEmbeddingClose(got[i], want, "\(name) image \(i) batch \(bs)", file: file, line: line)
            }
        }
        XCTAssertEqual(Double(model.logitScaleParameter), ref.logit_scale, accuracy: 1e-6, name, file: file, line: line)
    }

    /// The reference texts' ids as one packed batch of different lengths (transformers padded
    /// them), then one at a time, against their embeddings.
    func assertTextFeaturesMatch(file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try model(), ref = try reference()
        let batch = try model.textFeatures(ids: ref.texts.map(\.ids))
        for (i, t) in ref.texts.enumerated() {
            assertEmbeddingClose(batch[i], t.embedding, "\(name) text \"\(t.text.prefix(20))\" (batched)", file: file, line: line)
            let single = try model.textFeatures(ids: [t.ids])[0]
            assertEmbeddingClose(single, t.embedding, "\(name) text \"\(t.text.prefix(20))\" (alone)", file: file, line: line)
        }
    }
}

/// Asserts `got` matches the reference embedding within the parity tolerances.
func assertEmbeddingClose(_ got: [Float], _ want: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(got.count, want.count, "\(what): dimension", file: file, line: line)
    guard got.count == want.count else { return }
    let c = EmbeddingComparison(got, want)
    XCTAssertGreaterThanOrEqual(c.cosine, 0.99999, "\(what): cosine", file: file, line: line)
    XCTAssertLessThanOrEqual(c.maxAbsErrorOverNorm, 1e-4, "\(what): max abs error / norm", file: file, line: line)
}
