import CLIP
@testable import Detection
import TestSupport
import XCTest

final class DetectorTests: XCTestCase {
    func testScoresAreTheSoftmaxOverClassesNegativesAndBackground() throws {
        let model = try DetectionFixtures.tinyModel()
        var options = DetectorOptions()
        options.negatives = ["poster"]
        options.background = ["background", "wall"]
        options.confidence = 0
        let detector = try Detector(model: model, options: options)
        try detector.setClasses(["red square", "blue circle"])
        XCTAssertEqual(detector.promptEmbeddings.count, 5)
        let crops = [[Float]](repeating: [], count: 3).enumerated().map { i, _ in
            Similarity.normalized((0..<model.embeddingDimension).map { Float(sin(Double($0 * (i + 2)))) })
        }
        let boxes = (0..<3).map { Box(x1: Float($0), y1: 0, x2: Float($0) + 10, y2: 10) }
        let dets = detector.score(embeddings: crops, boxes: boxes)
        XCTAssertEqual(dets.count, 3)
        for (i, d) in dets.enumerated() {
            // Independent computation: exp(logit_scale)·cos / temperature, softmax over all five prompts.
            let logits = detector.promptEmbeddings.map { model.logitScale / options.temperature * Similarity.cosine(crops[i], $0) }
            let m = logits.max()!
            let e = logits.map { exp($0 - m) }
            let p = e.map { $0 / e.reduce(0, +) }
            let best = p[0] >= p[1] ? 0 : 1
            XCTAssertEqual(d.classId, best)
            XCTAssertEqual(d.score, p[best], accuracy: 1e-5)
            XCTAssertEqual(d.box, boxes[i])
        }
    }

    func testPerClassThresholdOverridesConfidenceAndNegativesAreNeverReported() throws {
        let model = try DetectionFixtures.tinyModel()
        var options = DetectorOptions()
        options.negatives = ["poster"]
        options.background = []
        options.confidence = 0
        let detector = try Detector(model: model, options: options)
        try detector.setClasses([ClassSpec("a", threshold: 1.0), ClassSpec("b")])
        let crops = (0..<20).map { i in Similarity.normalized((0..<model.embeddingDimension).map { Float(cos(Double($0 * i + 1))) }) }
        let dets = detector.score(embeddings: crops, boxes: crops.map { _ in Box(x1: 0, y1: 0, x2: 1, y2: 1) })
        XCTAssertTrue(dets.allSatisfy { $0.classId == 1 }, "class a needs score ≥ 1.0, which a softmax over 3 prompts never reaches")
        XCTAssertTrue(dets.allSatisfy { $0.label == "b" })
    }

    func testEndToEndPipelineOnASyntheticScene() throws {
        let model = try DetectionFixtures.tinyModel()
        var options = DetectorOptions()
        options.confidence = 0
        options.proposals.maxProposals = 40
        let detector = try Detector(model: model, options: options)
        try detector.setClasses(["red square", "blue rectangle"])
        let img = DetectionFixtures.scene(rects: [(20, 20, 40, 40, (220, 30, 30)), (100, 50, 50, 30, (30, 30, 220))])
        var timings = StageTimings()
        let dets = try detector.detect(img, timings: &timings)
        XCTAssertFalse(dets.isEmpty)
        XCTAssertLessThanOrEqual(timings.cropCount, 40)
        XCTAssertEqual(dets.map(\.score), dets.map(\.score).sorted(by: >), "sorted by score")
        for d in dets {
            XCTAssertTrue((0...1).contains(d.score))
            XCTAssertTrue(d.box.x1 >= 0 && d.box.y1 >= 0 && d.box.x2 <= 160 && d.box.y2 <= 120, "\(d.box)")
            XCTAssertTrue(["red square", "blue rectangle"].contains(d.label))
        }
        // Same image, same detections.
        XCTAssertEqual(try detector.detect(img), dets)
    }

    func testDetectWithoutClassesIsAnError() throws {
        let detector = try Detector(model: try DetectionFixtures.tinyModel())
        XCTAssertThrowsError(try detector.detect(RGBImage(width: 8, height: 8, fill: (0, 0, 0))))
    }

    func testOutOfRangeOptionsAreRejected() throws {
        let model = try DetectionFixtures.tinyModel()
        var o = DetectorOptions()
        o.confidence = 1.5
        XCTAssertThrowsError(try Detector(model: model, options: o)) { XCTAssertEqual("\($0)", "confidence 1.5 must be in [0, 1]") }
        o = DetectorOptions()
        o.iouThreshold = -0.1
        XCTAssertThrowsError(try Detector(model: model, options: o)) { XCTAssertEqual("\($0)", "iouThreshold -0.1 must be in [0, 1]") }
    }

    func testExemplarClassUsesTheImageEmbedding() throws {
        let model = try DetectionFixtures.tinyModel()
        let exemplar = DetectionFixtures.scene(width: 64, height: 64, rects: [(8, 8, 48, 48, (200, 40, 40))])
        let detector = try Detector(model: model)
        try detector.setClasses([ClassSpec("my mug", source: .exemplar(exemplar)), ClassSpec("dog")])
        let want = Similarity.normalized(model.encodeImages([exemplar])[0])
        for (a, b) in zip(detector.promptEmbeddings[0], want) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}
