import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Golden tests against transformers' CLIPModel (fixtures: Fixtures/models/make_model_fixtures.py;
/// tolerances: `ParityFixture`).
final class CLIPModelParityTests: XCTestCase {
    func reference(_ name: String) throws -> ParityFixture.Reference {
        try ParityFixture(SourceTree.model(name)).reference()
    }

    func testImageFeaturesMatchTransformersForEveryFixtureConfig() throws {
        for name in SourceTree.modelFixtures { try ParityFixture(SourceTree.model(name)).assertImageFeaturesMatch() }
    }

    func testTextFeaturesMatchTransformersIncludingEOSPoolingRules() throws {
        for name in SourceTree.modelFixtures { try ParityFixture(SourceTree.model(name)).assertTextFeaturesMatch() }
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
