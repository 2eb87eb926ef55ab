import CLIP
import Detection
import Evaluation
import Foundation
import XCTest

/// The shipped one-pass detector `models/shapes-owl` (issue 14) on the committed benchmark,
/// all 60 scenes (one encoder pass each, ~0.1 s), every category name as a class, the model's
/// own defaults (`detection_defaults.json`: containment and refinement included): floors under
/// the figures measured with `clipdetect eval --model shapes-owl`, so a change that breaks the OWL
/// path end to end, or shipped weights that get worse, fail here. The recall floor is the issue's
/// target (≥ 0.85 with precision ≥ 0.7 and ≤ 1.2 boxes per object).
final class ShapesOwlBenchmarkTests: XCTestCase {
    static let bench = ShapesBenchmarkTests.bench
    /// Measured 2026-11-30 (release, the offset-head model whose whole-scene steps used
    /// `train_owl.py --offset-attention`; conf 0.35, containment with cross-class score ratio 0.9,
    /// boxes refined by GrabCut on a 64-px copy): AP 0.8157, AP50 0.8562, held-out AP50 0.8434,
    /// 1.15 boxes per object, precision 0.759 at recall 0.873 (IoU 0.5). Without containment
    /// (`"containment": false`, same conf) it keeps 1.29 boxes per object at precision 0.691 and
    /// fails those two floors; the previous defaults (conf 0.45, no containment: AP 0.762, recall
    /// 0.809) fail the AP and recall floors.
    static let apFloor = 0.78
    static let ap50Floor = 0.82
    static let heldOutAP50Floor = 0.80
    static let boxesPerObjectCeiling = 1.2
    static let precisionFloor = 0.72
    static let recallFloor = 0.85

    func testShippedOwlModelKeepsItsFloorsOnTheBenchmark() throws {
        let folder = try ModelLocator.resolve("shapes-owl")
        let model = try DetectionModel(folder: folder)
        guard case .owl = model else { return XCTFail("models/shapes-owl does not load as an OWL model") }
        let options = model.defaultOptions
        XCTAssertEqual(options.templates, ["a photo of a {}."], "the prompt the model was trained with")
        XCTAssertEqual(options.containment, ContainmentSuppression(crossClassScoreRatio: 0.9),
                       "the model's defaults keep two labels on one place only when they score within 10%")
        XCTAssertEqual(options.refinement, BoxRefiner(longSide: 64),
                       "the model's defaults refine its boxes (GrabCut, as the crop pipeline, on a 64-px copy)")
        let detector = try model.detector(options: options)
        let gt = try COCOGroundTruth.load(from: Self.bench.appendingPathComponent("annotations.json"))
        let run = try DatasetEvaluation.run(detector, on: gt, imageFolder: Self.bench.path)
        XCTAssertEqual(run.imageIds.count, 60)
        XCTAssertGreaterThanOrEqual(run.overall.ap, Self.apFloor, "AP on the benchmark")
        XCTAssertGreaterThanOrEqual(run.overall.ap50, Self.ap50Floor, "AP50 on the benchmark")
        let heldOut = try XCTUnwrap(run.heldOut, "the benchmark marks held-out categories")
        XCTAssertGreaterThanOrEqual(heldOut.ap50, Self.heldOutAP50Floor, "held-out AP50 on the benchmark")
        let point = OperatingPoint.evaluate(groundTruth: gt, detections: run.detections, imageIds: run.imageIds)
        XCTAssertLessThanOrEqual(point.boxesPerObject, Self.boxesPerObjectCeiling, "boxes per object")
        XCTAssertGreaterThanOrEqual(point.precision, Self.precisionFloor, "precision at IoU 0.5")
        XCTAssertGreaterThanOrEqual(point.recall, Self.recallFloor, "recall at IoU 0.5")
    }
}
