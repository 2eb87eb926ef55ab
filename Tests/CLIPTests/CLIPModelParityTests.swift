import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Golden tests against transformers' CLIPModel (fixtures: Fixtures/models/make_model_fixtures.py).
/// Tolerances from the spec: cosine ≥ 0.99999 and max |error| ≤ 1e-4 · ‖reference‖.
final class CLIPModelParityTests: XCTestCase {
    struct Reference: Decodable {
        struct Text: Decodable { var text: String; var ids: [Int32]; var embedding: [Double] }
        var logit_scale: Double
        var image_embeds: [[Double]]
        var texts: [Text]
    }

    func reference(_ name: String) throws -> Reference {
        let data = try Data(contentsOf: SourceTree.model(name).appendingPathComponent("reference.json"))
        return try JSONDecoder().decode(Reference.self, from: data)
    }

    func assertClose(_ got: [Float], _ want: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(what): dimension", file: file, line: line)
        guard got.count == want.count else { return }
        let c = EmbeddingComparison(got, want)
        XCTAssertGreaterThanOrEqual(c.cosine, 0.99999, "\(what): cosine", file: file, line: line)
        XCTAssertLessThanOrEqual(c.maxAbsErrorOverNorm, 1e-4, "\(what): max abs error / norm", file: file, line: line)
    }

    func testImageFeaturesMatchTransformersForEveryFixtureConfig() throws {
        for name in SourceTree.modelFixtures {
            let model = try CLIPModel(folder: SourceTree.model(name))
            let ref = try reference(name)
            let inputs = try SafetensorsFile(url: SourceTree.model(name).appendingPathComponent("reference_inputs.safetensors"))
            let pixels = try inputs.floats("pixel_values")
            // Batch sizes 1 and all-at-once must agree with the reference (buffer reuse across calls).
            for bs in [1, ref.image_embeds.count] {
                let got = pixels.withUnsafeBufferPointer {
                    model.imageFeatures(pixelValues: $0, count: ref.image_embeds.count, batchSize: bs)
                }
                for (i, want) in ref.image_embeds.enumerated() {
                    assertClose(got[i], want, "\(name) image \(i) batch \(bs)")
                }
            }
            XCTAssertEqual(Double(model.logitScaleParameter), ref.logit_scale, accuracy: 1e-6, name)
        }
    }

    func testTextFeaturesMatchTransformersIncludingEOSPoolingRules() throws {
        for name in SourceTree.modelFixtures {
            let model = try CLIPModel(folder: SourceTree.model(name))
            let ref = try reference(name)
            // Packed batch of different lengths, then one text at a time.
            let batch = try model.textFeatures(ids: ref.texts.map(\.ids))
            for (i, t) in ref.texts.enumerated() {
                assertClose(batch[i], t.embedding, "\(name) text \"\(t.text.prefix(30))\" (batched)")
                let single = try model.textFeatures(ids: [t.ids])[0]
                assertClose(single, t.embedding, "\(name) text \"\(t.text.prefix(30))\" (alone)")
            }
        }
    }

    func testLegacyEOSConfigPoolsAtArgmaxAndNewConfigAtFirstEOS() throws {
        let legacy = try CLIPModel(folder: SourceTree.model("tiny-quickgelu-f32"))
        XCTAssertEqual(legacy.config.textSpec.eosTokenId, 2)
        // argmax picks the first occurrence of the largest id
        XCTAssertEqual(legacy.text.poolingIndex([49406, 320, 49407, 5, 49407]), 2)
        let modern = try CLIPModel(folder: SourceTree.model("tiny-gelu-f16"))
        XCTAssertEqual(modern.text.poolingIndex([49406, 320, 49407, 5, 49407]), 2)
        XCTAssertEqual(modern.text.poolingIndex([49406, 320, 5]), 0, "no EOS: transformers' argmax of all-false is 0")
    }

    func testSimilarityLogitsAreScaledCosines() throws {
        let model = try CLIPModel(folder: SourceTree.model("tiny-gelu-f16"))
        let texts = try model.textFeatures(ids: try reference("tiny-gelu-f16").texts.map(\.ids))
        let images = texts.prefix(2).map { $0 }  // any vectors of the right dimension
        let logits = model.logits(images: images, texts: texts)
        for i in 0..<images.count {
            for j in 0..<texts.count {
                XCTAssertEqual(logits[i][j], model.logitScale * Similarity.cosine(images[i], texts[j]), accuracy: 1e-4)
            }
            let p = model.probabilities(images: images, texts: texts)[i]
            XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-5)
        }
    }
}
