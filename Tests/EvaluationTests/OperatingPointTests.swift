import Detection
import Evaluation
import XCTest

/// Boxes per object, precision and recall at IoU 0.5 on hand-made cases.
final class OperatingPointTests: XCTestCase {
    let categories = [COCOGroundTruth.Category(id: 1, name: "red star"), COCOGroundTruth.Category(id: 2, name: "blue circle")]

    func groundTruth() -> COCOGroundTruth {
        COCOGroundTruth(
            images: [.init(id: 1, fileName: "a.png", width: 100, height: 100), .init(id: 2, fileName: "b.png", width: 100, height: 100)],
            annotations: [
                .init(id: 1, imageId: 1, categoryId: 1, bbox: [0, 0, 10, 10], area: 100),
                .init(id: 2, imageId: 1, categoryId: 2, bbox: [50, 50, 20, 20], area: 400),
                .init(id: 3, imageId: 2, categoryId: 1, bbox: [10, 10, 10, 10], area: 100),
                .init(id: 4, imageId: 2, categoryId: 1, bbox: [60, 60, 10, 10], area: 100, iscrowd: true),
            ],
            categories: categories)
    }

    func testGreedyMatchingCountsDuplicatesAndWrongClassesAsFalsePositives() {
        let dets = [
            COCODetection(image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9),    // hit
            COCODetection(image_id: 1, category_id: 1, bbox: [0, 0, 12, 12], score: 0.8),    // duplicate of a taken object
            COCODetection(image_id: 1, category_id: 1, bbox: [50, 50, 20, 20], score: 0.7),  // right box, wrong class
            COCODetection(image_id: 2, category_id: 1, bbox: [10, 10, 20, 20], score: 0.6),  // IoU 0.25: miss
            COCODetection(image_id: 2, category_id: 1, bbox: [60, 60, 10, 10], score: 0.5),  // on a crowd region: not an object
        ]
        let p = OperatingPoint.evaluate(groundTruth: groundTruth(), detections: dets)
        XCTAssertEqual(p.detections, 5)
        XCTAssertEqual(p.objects, 3)
        XCTAssertEqual(p.truePositives, 1)
        XCTAssertEqual(p.boxesPerObject, 5.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(p.precision, 0.2, accuracy: 1e-12)
        XCTAssertEqual(p.recall, 1.0 / 3, accuracy: 1e-12)
    }

    func testHigherScoreTakesTheObjectFirstAndTheBestOverlapIsTaken() {
        // The loose box scores higher, so it takes the object and the tight one is the duplicate.
        let dets = [
            COCODetection(image_id: 2, category_id: 1, bbox: [10, 10, 10, 10], score: 0.5),
            COCODetection(image_id: 2, category_id: 1, bbox: [8, 8, 14, 14], score: 0.9),
        ]
        let p = OperatingPoint.evaluate(groundTruth: groundTruth(), detections: dets, imageIds: [2])
        XCTAssertEqual(p.objects, 1)
        XCTAssertEqual(p.truePositives, 1)
        XCTAssertEqual(p.precision, 0.5)
        // At IoU 0.75 the loose box (IoU 100/196) no longer matches, and the tight one does.
        let strict = OperatingPoint.evaluate(groundTruth: groundTruth(), detections: dets, imageIds: [2], iouThreshold: 0.75)
        XCTAssertEqual(strict.truePositives, 1)
        XCTAssertEqual(strict.recall, 1)
    }

    func testImagesOutsideTheSelectionAreIgnored() {
        let dets = [COCODetection(image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9)]
        let p = OperatingPoint.evaluate(groundTruth: groundTruth(), detections: dets, imageIds: [2])
        XCTAssertEqual(p.detections, 0)
        XCTAssertEqual(p.objects, 1)
        XCTAssertEqual(p.precision, 1)
        XCTAssertEqual(p.recall, 0)
    }
}
