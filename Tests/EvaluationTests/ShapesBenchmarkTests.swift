import CLIP
import Detection
import Evaluation
import Foundation
import Imaging
import TestSupport
import XCTest

/// The shipped model on the committed benchmark: a floor on COCO AP50 over a small subset
/// with default detector settings, so a change that breaks detection end to end fails here.
/// (The full figures come from `clipdetect eval`; see the model card.)
final class ShapesBenchmarkTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let bench = root.appendingPathComponent("examples/shapes-bench")
    static let subset = 8
    static let ap50Floor = 0.7  // measured 0.870 on these 8 images (release, 2026-11-23), 0.817 with issue 12's defaults
    /// Issue 12 (one box per object), measured on these 8 images with the defaults (2026-11-29):
    /// 1.16 boxes per object, precision 0.698, recall 0.811 at IoU 0.5 (before: ~4.4 and ~0.2).
    static let boxesPerObjectCeiling = 1.4
    static let precisionFloor = 0.6
    /// Issue 12 (box refinement, `BoxRefiner`, GrabCut): on these 8 images AP / AP75 0.775 / 0.783
    /// with the defaults, 0.580 / 0.688 without refinement (2026-11-29, pycocotools on
    /// `clipdetect eval --predictions`).
    static let ap75Floor = 0.74
    static let apFloor = 0.72

    func testShippedModelKeepsAnAP50FloorOnTheBenchmarkSubset() throws {
        let model = try CLIPModel(folder: Self.root.appendingPathComponent("models/shapes-tiny"))
        let gt = try COCOGroundTruth.load(from: Self.bench.appendingPathComponent("annotations.json"))
        let detector = try Detector(model: model)
        let run = try DatasetEvaluation.run(detector, on: gt, imageFolder: Self.bench.path, limit: Self.subset)
        let metrics = run.overall
        XCTAssertGreaterThanOrEqual(metrics.ap50, Self.ap50Floor, "AP50 on the first \(Self.subset) benchmark images")
        XCTAssertGreaterThanOrEqual(metrics.ap75, Self.ap75Floor, "AP75 on the first \(Self.subset) benchmark images")
        XCTAssertGreaterThanOrEqual(metrics.ap, Self.apFloor, "AP on the first \(Self.subset) benchmark images")
        let point = OperatingPoint.evaluate(groundTruth: gt, detections: run.detections, imageIds: run.imageIds)
        XCTAssertLessThanOrEqual(point.boxesPerObject, Self.boxesPerObjectCeiling, "boxes per object on the subset")
        XCTAssertGreaterThanOrEqual(point.precision, Self.precisionFloor, "precision at IoU 0.5 on the subset")
    }
}
