import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Golden tests against transformers' `OwlViTForObjectDetection` / `Owlv2ForObjectDetection`
/// (fixtures: Fixtures/owl/make_owl_fixtures.py). The contract: every patch's score within
/// 2e-3 of transformers', its box IoU ≥ 0.98 or every corner within 0.5 px.
final class OWLModelParityTests: XCTestCase {
    static let fixtures = ["owlvit-p16-f32", "owlvit-p8-f16", "owlv2-p10-f32", "owlv2-p12-f16"]
    static let owlDir = TestFixtures.clipFixtures.appendingPathComponent("owl")

    struct Reference: Decodable {
        struct Image: Decodable { var file: String; var width: Int; var height: Int }
        struct Case: Decodable {
            var image: String
            var width: Int, height: Int
            var logits: [[Double]]
            var pred_boxes: [[Double]]
            var scores: [Double]
            var labels: [Int]
            var boxes: [[Double]]
            var objectness_logits: [Double]?
        }
        struct Guided: Decodable {
            var target: String, query: String
            var width: Int, height: Int
            var query_patch: Int
            var logits: [[Double]]
            var pred_boxes: [[Double]]
            var scores: [Double]
            var boxes: [[Double]]
        }
        var family: String
        var processor: String
        var queries: [String]
        var query_ids: [[Int32]]
        var text_embeds: [[Double]]
        var images: [String: Image]
        var cases: [Case]
        var image_guided: Guided
    }

    static func folder(_ name: String) -> URL { owlDir.appendingPathComponent(name) }

    static func reference(_ name: String) throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder(name).appendingPathComponent("reference.json")))
    }

    static func image(_ ref: Reference, _ key: String) throws -> RGBImage {
        let info = ref.images[key]!
        let bytes = try Data(contentsOf: owlDir.appendingPathComponent(info.file))
        return RGBImage(width: info.width, height: info.height, pixels: [UInt8](bytes))
    }

    func testFixtureConfigsDecodeAsTheirFamily() throws {
        for name in Self.fixtures {
            let config = try OWLConfig.load(from: Self.folder(name).appendingPathComponent("config.json"))
            XCTAssertEqual(config.family.rawValue, try Self.reference(name).family, name)
            XCTAssertEqual(OWLConfig.declaredFamily(Self.folder(name).appendingPathComponent("config.json")), config.family)
        }
    }

    func testPixelValuesMatchTheProcessorsPILBackends() throws {
        for name in Self.fixtures {
            let ref = try Self.reference(name)
            let model = try OWLModel(folder: Self.folder(name))
            let stored = try SafetensorsFile(url: Self.folder(name).appendingPathComponent("pixel_values.safetensors"))
            for key in stored.tensorNames {
                let want = try stored.floats(key)
                let got = model.imageProcessor.preprocess(try Self.image(ref, key))
                XCTAssertEqual(got.count, want.count)
                var worst: Float = 0
                for i in 0..<min(got.count, want.count) {
                    // The reference is stored as float16: allow its rounding.
                    let err = abs(got[i] - want[i]) - abs(want[i]) * 0x1p-11
                    worst = max(worst, err)
                }
                XCTAssertLessThanOrEqual(worst, 1e-4, "\(name) \(key) (\(ref.processor))")
            }
        }
    }

    func testTextQueriesMatchTokenizerAndTextEmbeds() throws {
        for name in Self.fixtures {
            let ref = try Self.reference(name)
            let model = try OWLModel(folder: Self.folder(name))
            model.onWarning = { _ in }
            for (i, q) in ref.queries.enumerated() {
                XCTAssertEqual(model.tokenize(q).ids, ref.query_ids[i], "\(name) \(q)")
            }
            let got = try model.textQueries(ref.queries)
            for (i, want) in ref.text_embeds.enumerated() {
                let c = EmbeddingComparison(got[i], want)
                XCTAssertGreaterThan(c.cosine, 0.99999, "\(name) query \(i)")
                XCTAssertLessThan(c.maxAbsErrorOverNorm, 1e-4, "\(name) query \(i)")
            }
        }
    }

    /// The parity contract, patch by patch.
    func assertMatches(_ got: [OWLPatch], logits: [[Double]], scores: [Double], boxes: [[Double]],
                       _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, scores.count, "\(what): patch count", file: file, line: line)
        var worstScore = 0.0, worstLogit = 0.0, worstCorner = 0.0, worstIoU = 1.0
        for (p, patch) in got.prefix(scores.count).enumerated() {
            worstScore = max(worstScore, abs(Double(patch.score) - scores[p]))
            for (j, l) in logits[p].enumerated() { worstLogit = max(worstLogit, abs(Double(patch.logits[j]) - l)) }
            let want = boxes[p].map { $0 }
            let g = [patch.x0, patch.y0, patch.x1, patch.y1].map(Double.init)
            let corner = zip(g, want).map { abs($0 - $1) }.max()!
            worstCorner = max(worstCorner, corner)
            worstIoU = min(worstIoU, iou(g, want))
            let sorted = logits[p].sorted(by: >)
            if sorted.count < 2 || sorted[0] - sorted[1] > 1e-3 {
                let label = logits[p].firstIndex(of: sorted[0])!
                XCTAssertEqual(patch.query, label, "\(what) patch \(p): label", file: file, line: line)
            }
        }
        XCTAssertLessThanOrEqual(worstScore, 2e-3, "\(what): score", file: file, line: line)
        XCTAssertLessThanOrEqual(worstLogit, 1e-2, "\(what): logit", file: file, line: line)
        XCTAssertTrue(worstIoU >= 0.98 || worstCorner <= 0.5, "\(what): box IoU \(worstIoU), corner error \(worstCorner) px", file: file, line: line)
    }

    func iou(_ a: [Double], _ b: [Double]) -> Double {
        let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        let inter = w * h
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return union > 0 ? inter / union : (a == b ? 1 : 0)
    }

    /// transformers' boxes clipped to the image, as the contract states them.
    func clipped(_ boxes: [[Double]], width: Int, height: Int) -> [[Double]] {
        boxes.map { b in
            [min(max(b[0], 0), Double(width)), min(max(b[1], 0), Double(height)),
             min(max(b[2], 0), Double(width)), min(max(b[3], 0), Double(height))]
        }
    }

    func testEveryPatchMatchesTransformersForTextQueries() throws {
        for name in Self.fixtures {
            let ref = try Self.reference(name)
            let model = try OWLModel(folder: Self.folder(name))
            model.onWarning = { _ in }
            let queries = try model.textQueries(ref.queries)
            for c in ref.cases {
                let image = try Self.image(ref, c.image)
                let features = model.imageFeatures(image)
                if let want = c.objectness_logits {
                    let got = try XCTUnwrap(features.objectnessLogits)
                    for (p, w) in want.enumerated() { XCTAssertEqual(Double(got[p]), w, accuracy: 1e-3, "\(name) objectness \(p)") }
                } else {
                    XCTAssertNil(features.objectnessLogits)
                }
                for (p, want) in c.pred_boxes.enumerated() {
                    for k in 0..<4 { XCTAssertEqual(Double(features.boxes[4 * p + k]), want[k], accuracy: 1e-3, "\(name) \(c.image) pred_boxes[\(p)][\(k)]") }
                }
                let got = model.patches(features, queries: queries, width: image.width, height: image.height)
                assertMatches(got, logits: c.logits, scores: c.scores, boxes: clipped(c.boxes, width: c.width, height: c.height),
                              "\(name) \(c.image)")
            }
        }
    }

    func testImageGuidedDetectionMatchesTransformers() throws {
        for name in Self.fixtures {
            let ref = try Self.reference(name)
            let g = ref.image_guided
            let model = try OWLModel(folder: Self.folder(name))
            let (query, patch) = model.imageQuery(model.imageFeatures(try Self.image(ref, g.query)))
            XCTAssertEqual(patch, g.query_patch, "\(name): chosen query patch")
            let target = try Self.image(ref, g.target)
            let got = model.detect(target, queries: [query])
            assertMatches(got, logits: g.logits, scores: g.scores, boxes: clipped(g.boxes, width: g.width, height: g.height),
                          "\(name) image-guided")
        }
    }

    func testQueriesAreIndependentOfEachOtherAndOfBatching() throws {
        let name = "owlv2-p12-f16"
        let ref = try Self.reference(name)
        let model = try OWLModel(folder: Self.folder(name))
        model.onWarning = { _ in }
        let all = try model.textQueries(ref.queries)
        for (i, q) in ref.queries.enumerated() {
            let alone = try model.textQueries([q])[0]
            for j in 0..<alone.count { XCTAssertEqual(alone[j], all[i][j], accuracy: 1e-6) }
        }
    }
}
