import Foundation
import TestSupport
import XCTest
@testable import Evaluation
import Detection

/// Golden tests against pycocotools (Fixtures/coco/make_coco_fixtures.py) plus loader errors.
final class COCOEvaluatorTests: XCTestCase {
    /// The port reproduces pycocotools operation for operation (same IoU arithmetic, same
    /// stable orders, numpy's pairwise summation) using only + - * / min max, which IEEE 754
    /// fixes exactly: agreement is bit for bit, so any difference at all is a behaviour change.
    private let tolerance = 0.0

    struct Expected: Decodable {
        struct Case: Decodable {
            let name: String
            let groundTruth: String
            let detections: String
            let categoryIds: [Int]?
            let imageIds: [Int]?
            let evaluatedCategoryIds: [Int]
            let stats: [Double]
            let perCategoryAP: [String: Double]
            let perCategoryAP50: [String: Double]
            let meanPrecision: [[[Double]]]
            let recall: [Double]
        }
        let cases: [Case]
    }

    private func folder() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("coco")
    }

    private func expectedCase(_ name: String) throws -> Expected.Case {
        let data = try Data(contentsOf: try folder().appendingPathComponent("expected.json"))
        let expected = try JSONDecoder().decode(Expected.self, from: data)
        return try XCTUnwrap(expected.cases.first { $0.name == name }, "no fixture case \(name)")
    }

    private func inputs(_ c: Expected.Case) throws -> (COCOGroundTruth, [COCODetection]) {
        let gt = try COCOGroundTruth.load(from: try folder().appendingPathComponent(c.groundTruth))
        let dets = try COCODetection.load(from: try folder().appendingPathComponent(c.detections), groundTruth: gt)
        return (gt, dets)
    }

    /// Summary, per-category AP, mean precision per (category, area, maxDets) and the recall array.
    private func assertMatchesPycocotools(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let c = try expectedCase(name)
        let (gt, dets) = try inputs(c)
        let metrics = COCOEvaluator.evaluate(groundTruth: gt, detections: dets, categoryIds: c.categoryIds, imageIds: c.imageIds)
        let labels = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]
        XCTAssertEqual(metrics.stats.count, 12, file: file, line: line)
        for (i, (got, want)) in zip(metrics.stats, c.stats).enumerated() {
            XCTAssertEqual(got, want, accuracy: tolerance, "\(name) \(labels[i])", file: file, line: line)
        }
        XCTAssertEqual(Set(metrics.perCategory.keys), Set(c.evaluatedCategoryIds), name, file: file, line: line)
        for id in c.evaluatedCategoryIds {
            XCTAssertEqual(try XCTUnwrap(metrics.perCategory[id]), try XCTUnwrap(c.perCategoryAP["\(id)"]),
                           accuracy: tolerance, "\(name) AP of category \(id)", file: file, line: line)
            XCTAssertEqual(try XCTUnwrap(metrics.perCategoryAP50[id]), try XCTUnwrap(c.perCategoryAP50["\(id)"]),
                           accuracy: tolerance, "\(name) AP50 of category \(id)", file: file, line: line)
        }

        let acc = COCOEvaluator.accumulate(groundTruth: gt, detections: dets, categoryIds: c.categoryIds, imageIds: c.imageIds)
        XCTAssertEqual(acc.categoryIds, c.evaluatedCategoryIds, file: file, line: line)
        XCTAssertEqual(acc.recall.count, c.recall.count, file: file, line: line)
        for (i, (got, want)) in zip(acc.recall, c.recall).enumerated() {
            XCTAssertEqual(got, want, accuracy: tolerance, "\(name) recall[\(i)]", file: file, line: line)
        }
        let (T, R) = (COCOEvaluator.iouThresholds.count, COCOEvaluator.recallThresholds.count)
        for k in 0..<c.evaluatedCategoryIds.count {
            for a in 0..<4 {
                for m in 0..<3 {
                    var values: [Double] = []
                    for t in 0..<T { for r in 0..<R { values.append(acc.precision[acc.precisionIndex(t: t, r: r, k: k, a: a, m: m)]) } }
                    XCTAssertEqual(COCOAccumulation.meanOfValid(values), c.meanPrecision[k][a][m], accuracy: tolerance,
                                   "\(name) mean precision, category \(c.evaluatedCategoryIds[k]) area \(a) maxDets \(m)",
                                   file: file, line: line)
                }
            }
        }
    }

    // MARK: - Agreement with pycocotools

    func testRandomScenesWithCrowdsDuplicatesTiesAndOver100DetectionsMatchPycocotools() throws {
        try assertMatchesPycocotools("mixed")
    }

    func testRestrictingCategoriesEqualsPycocotoolsWithCatIdsSubset() throws {
        try assertMatchesPycocotools("mixed-heldout-categories")
        // The subset is the held-out classes, read from the categories' boolean "heldout" key.
        let c = try expectedCase("mixed-heldout-categories")
        let (gt, _) = try inputs(c)
        XCTAssertEqual(gt.categories.filter { $0.extra["heldout"] == true }.map(\.id).sorted(), c.categoryIds)
    }

    func testRestrictingImagesEqualsPycocotoolsWithImgIdsSubset() throws {
        try assertMatchesPycocotools("mixed-image-subset")
    }

    func testExactThresholdsIoUTiesCrowdRegionsAndAreaBoundariesMatchPycocotools() throws {
        try assertMatchesPycocotools("edges")
    }

    func testPerfectDetectionsMatchPycocotools() throws {
        try assertMatchesPycocotools("perfect")
        let (gt, dets) = try inputs(try expectedCase("perfect"))
        let metrics = COCOEvaluator.evaluate(groundTruth: gt, detections: dets)
        XCTAssertEqual(metrics.ap, 1)
        XCTAssertEqual(metrics.apSmall, -1, "no small objects: nothing to measure")
    }

    func testThresholdsAreNumpysLinspaceValues() {
        XCTAssertEqual(COCOEvaluator.iouThresholds,
                       [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95])
        XCTAssertEqual(COCOEvaluator.recallThresholds.count, 101)
        XCTAssertEqual(COCOEvaluator.recallThresholds[3], 0.03)
        XCTAssertEqual(COCOEvaluator.recallThresholds[100], 1)
    }

    func testMeanUsesNumpysPairwiseSummationOrder() {
        // 1 + 1e-16 * 200 summed left to right stays 1; numpy's blocks keep the small terms.
        let values = [1.0] + [Double](repeating: 1e-16, count: 199)
        let sequential = values.reduce(0, +) / 200
        let mean = COCOAccumulation.meanOfValid(values)
        XCTAssertEqual(sequential, 1.0 / 200)
        XCTAssertGreaterThan(mean, 1.0 / 200)
        XCTAssertEqual(COCOAccumulation.meanOfValid([-1, -1]), -1)
        XCTAssertEqual(COCOAccumulation.meanOfValid([-1, 0.5, 0.25]), 0.375)
    }

    func testIoUFollowsMaskApiIncludingCrowdRegions() {
        XCTAssertEqual(ImageMatcher.iou([0, 0, 10, 5], [0, 0, 10, 10], crowd: false), 0.5)
        // Crowd: intersection over the detection's own area.
        XCTAssertEqual(ImageMatcher.iou([0, 0, 10, 5], [0, 0, 100, 100], crowd: true), 1)
        XCTAssertEqual(ImageMatcher.iou([10, 0, 10, 10], [0, 0, 10, 10], crowd: false), 0, "touching edges")
        XCTAssertEqual(ImageMatcher.iou([0, 0, 0, 10], [0, 0, 10, 10], crowd: true), 0, "zero width, no 0/0")
    }

    func testNoDetectionsScoresZeroWhereThereIsGroundTruth() throws {
        let (gt, _) = try inputs(try expectedCase("perfect"))
        let metrics = COCOEvaluator.evaluate(groundTruth: gt, detections: [])
        // Perfect's objects are 40-120 px a side: medium and large, never small.
        XCTAssertEqual(metrics.stats, [0, 0, 0, -1, 0, 0, 0, 0, 0, -1, 0, 0])
        XCTAssertEqual(metrics.perCategory, [1: 0, 2: 0])
    }

    func testDetectionsOfUnknownCategoriesAreNeverLookedAt() throws {
        let (gt, dets) = try inputs(try expectedCase("perfect"))
        var extra = dets
        extra.insert(COCODetection(image_id: 1, category_id: 77, bbox: [0, 0, 50, 50], score: 1), at: 0)
        XCTAssertEqual(COCOEvaluator.evaluate(groundTruth: gt, detections: extra),
                       COCOEvaluator.evaluate(groundTruth: gt, detections: dets))
    }

    func testMetricsRoundTripThroughJSON() throws {
        let (gt, dets) = try inputs(try expectedCase("edges"))
        let metrics = COCOEvaluator.evaluate(groundTruth: gt, detections: dets)
        let decoded = try JSONDecoder().decode(COCOMetrics.self, from: try JSONEncoder().encode(metrics))
        XCTAssertEqual(decoded, metrics)
    }

    // MARK: - Loading

    func testCategoryBooleanKeysAreKeptAsExtras() throws {
        let gt = try COCOGroundTruth.load(from: try folder().appendingPathComponent("gt_mixed.json"))
        XCTAssertEqual(gt.categories.first { $0.id == 3 }?.extra, ["heldout": true])
        XCTAssertEqual(gt.categories.first { $0.id == 1 }?.extra, ["heldout": false])
        XCTAssertEqual(gt.images.count, 40)
    }

    func testDetectionsOnImagesMissingFromGroundTruthAreRejectedNamingTheFile() throws {
        let gt = try COCOGroundTruth.load(from: try folder().appendingPathComponent("gt_mixed.json"))
        let url = try folder().appendingPathComponent("dt_unknown_image.json")
        assertFails(try COCODetection.load(from: url, groundTruth: gt), containing: [url.path, "image id 999"])
    }

    func testResultsThatAreNotAnArrayAreRejectedNamingTheFile() throws {
        let gt = try COCOGroundTruth.load(from: try folder().appendingPathComponent("gt_edges.json"))
        let url = try write("results.json", #"{"image_id": 7}"#)
        assertFails(try COCODetection.load(from: url, groundTruth: gt), containing: [url.path, "expected an array"])
    }

    func testBadJSONIsRejectedNamingTheFile() throws {
        let url = try write("gt.json", #"{"images": [ "#)
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "not valid JSON"])
    }

    func testMissingFieldIsRejectedNamingTheFileAndThePlace() throws {
        let url = try write("gt.json", document(annotations: #"[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5]}]"#))
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "annotations[0]", "\"area\""])
        let noImages = try write("gt2.json", #"{"annotations": [], "categories": []}"#)
        assertFails(try COCOGroundTruth.load(from: noImages), containing: [noImages.path, "missing \"images\""])
    }

    func testWrongTypeIsRejectedNamingThePlace() throws {
        let url = try write("gt.json", document(annotations: #"[{"id": 1, "image_id": "a", "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25}]"#))
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "annotations[0].image_id", "integer"])
    }

    func testAnnotationOnUnknownImageIsRejectedNamingTheFile() throws {
        let url = try write("gt.json", document(annotations: #"[{"id": 1, "image_id": 42, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25}]"#))
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "image id 42"])
    }

    func testAnnotationOfUnknownCategoryIsRejected() throws {
        let url = try write("gt.json", document(annotations: #"[{"id": 1, "image_id": 1, "category_id": 9, "bbox": [0, 0, 5, 5], "area": 25}]"#))
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "category id 9"])
    }

    func testDuplicateIdsAreRejected() throws {
        let ann = #"{"id": 4, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25}"#
        let url = try write("gt.json", document(annotations: "[\(ann), \(ann)]"))
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "annotations[1]", "repeats annotation id 4"])
        let images = #"[{"id": 1, "file_name": "a.png", "width": 9, "height": 9}, {"id": 1, "file_name": "b.png", "width": 9, "height": 9}]"#
        let url2 = try write("gt2.json", document(images: images))
        assertFails(try COCOGroundTruth.load(from: url2), containing: [url2.path, "repeats image id 1"])
    }

    func testAnnotationIdZeroIsRejectedBecausePycocotoolsWouldMiscountIt() throws {
        let url = try write("gt.json", document(annotations: #"[{"id": 0, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25}]"#))
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "id 0"])
    }

    func testMalformedBoxIsRejected() throws {
        let url = try write("gt.json", document(annotations: #"[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5], "area": 25}]"#))
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "bbox"])
    }

    func testMissingFileIsRejectedNamingIt() {
        let url = URL(fileURLWithPath: "/nonexistent/annotations.json")
        assertFails(try COCOGroundTruth.load(from: url), containing: [url.path, "not found"])
    }

    func testIscrowdMayBeOmittedOrBoolean() throws {
        let anns = #"[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25}, {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25, "iscrowd": true}]"#
        let gt = try COCOGroundTruth.load(from: try write("gt.json", document(annotations: anns)))
        XCTAssertEqual(gt.annotations.map(\.iscrowd), [false, true])
    }

    // MARK: - Helpers

    private func document(images: String = #"[{"id": 1, "file_name": "a.png", "width": 9, "height": 9}]"#,
                          annotations: String = "[]") -> String {
        #"{"images": \#(images), "annotations": \#(annotations), "categories": [{"id": 1, "name": "thing"}]}"#
    }

    private func write(_ name: String, _ text: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coco-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    private func assertFails<T>(_ body: @autoclosure () throws -> T, containing parts: [String],
                                file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected an error mentioning \(parts)", file: file, line: line)
        } catch let error as DetectionError {
            for part in parts {
                XCTAssertTrue(error.message.contains(part), "\(error.message) should mention \(part)", file: file, line: line)
            }
            XCTAssertFalse(error.message.contains("\n"), "one line: \(error.message)", file: file, line: line)
        } catch {
            XCTFail("expected a DetectionError, got \(error)", file: file, line: line)
        }
    }
}
