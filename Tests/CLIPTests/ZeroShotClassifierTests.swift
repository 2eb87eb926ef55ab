import Foundation
import TestSupport
import XCTest
@testable import CLIP

final class ZeroShotClassifierTests: XCTestCase {
    /// Seeded, visibly different test images.
    static func images() -> [RGBImage] {
        (0..<3).map { k in
            var rng: UInt64 = 0x1234 &+ UInt64(k)
            let w = 48 + 16 * k, h = 40 + 8 * k
            let pixels = (0..<(w * h * 3)).map { i -> UInt8 in
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: (i % 3 == k ? 180 : 30) + Int(rng >> 59))
            }
            return RGBImage(width: w, height: h, pixels: pixels)
        }
    }

    /// softmax(exp(logit_scale) · cos) in Double, from the model's raw embeddings.
    static func referenceProbabilities(image: [Float], classes: [[Float]], logitScaleParameter: Float) -> [Double] {
        func norm(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let scale = exp(Double(logitScaleParameter))
        let logits = classes.map { c in scale * zip(image, c).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / (norm(image) * norm(c)) }
        let m = logits.max()!
        let e = logits.map { exp($0 - m) }
        return e.map { $0 / e.reduce(0, +) }
    }

    func testProbabilitiesEqualSoftmaxOfScaledCosineComputedIndependently() throws {
        let model = try CLIPModel(folder: SourceTree.model("tiny-gelu-f16"))
        let names = ["cat", "dog", "red star", "blue circle"]
        let classifier = try ZeroShotClassifier(model: model, classes: names, templates: ["a photo of a {}."])
        let images = Self.images()
        let results = classifier.classify(images, batchSize: 2)
        let imageEmb = model.encodeImages(images)
        let textEmb = try model.encodeTexts(names.map { "a photo of a \($0)." })
        XCTAssertEqual(results.count, images.count)
        for (r, e) in zip(results, imageEmb) {
            let want = Self.referenceProbabilities(image: e, classes: textEmb, logitScaleParameter: model.logitScaleParameter)
            XCTAssertEqual(r.classes, names)
            XCTAssertEqual(Double(r.probabilities.reduce(0, +)), 1, accuracy: 1e-5)
            for (p, q) in zip(r.probabilities, want) { XCTAssertEqual(Double(p), q, accuracy: 1e-5) }
        }
        // The probabilities must depend on the image, or the test above proves little.
        XCTAssertGreaterThan(abs(results[0].probabilities[0] - results[1].probabilities[0]), 1e-4)
    }

    func testEnsembleAveragesNormalisedTemplateEmbeddingsPerClass() throws {
        let model = try CLIPModel(folder: SourceTree.model("tiny-quickgelu-f32"))
        let templates = ["a photo of a {}.", "a drawing of the {}.", "itap of my {}."]
        let names = ["cat", "bus"]
        let classifier = try ZeroShotClassifier(model: model, classes: names, templates: templates)
        let classEmb = try names.map { name -> [Float] in
            let e = try model.encodeTexts(templates.map { $0.replacingOccurrences(of: "{}", with: name) })
            var mean = [Float](repeating: 0, count: model.embeddingDimension)
            for v in e {
                let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for i in mean.indices { mean[i] += v[i] / n }
            }
            return mean
        }
        let image = Self.images()[2]
        let got = classifier.classify([image])[0].probabilities
        let want = Self.referenceProbabilities(image: model.encodeImages([image])[0], classes: classEmb,
                                               logitScaleParameter: model.logitScaleParameter)
        for (p, q) in zip(got, want) { XCTAssertEqual(Double(p), q, accuracy: 1e-5) }
        for c in classifier.classEmbeddings {
            XCTAssertEqual(c.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5, "class embeddings are unit length")
        }
    }

    func testTopListsMostProbableClassesFirst() {
        let c = ZeroShotClassifier.Classification(classes: ["a", "b", "c", "d"], probabilities: [0.1, 0.4, 0.1, 0.4])
        XCTAssertEqual(c.top(3).map(\.name), ["b", "d", "a"], "ties keep class order")
        XCTAssertEqual(c.top(10).count, 4)
        XCTAssertEqual(c.top(0).count, 0)
    }

    func testBadClassListsAndTemplatesAreOneLineErrors() throws {
        let model = try CLIPModel(folder: SourceTree.model("tiny-gelu-f16"))
        assertThrowsMessage(["no classes"]) { _ = try ZeroShotClassifier(model: model, classes: []) }
        assertThrowsMessage(["empty"]) { _ = try ZeroShotClassifier(model: model, classes: ["cat", " "]) }
        assertThrowsMessage(["\"cat\"", "twice"]) { _ = try ZeroShotClassifier(model: model, classes: ["cat", "dog", "cat"]) }
        assertThrowsMessage(["a photo", "exactly one {}", "found 0"]) { _ = try ZeroShotClassifier(model: model, classes: ["cat"], templates: ["a photo"]) }
        assertThrowsMessage(["found 2"]) { _ = try ZeroShotClassifier(model: model, classes: ["cat"], templates: ["{} and {}"]) }
        assertThrowsMessage(["no prompt templates"]) { _ = try ZeroShotClassifier(model: model, classes: ["cat"], templates: []) }
    }
}
