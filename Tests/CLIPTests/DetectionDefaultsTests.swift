import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// A model folder's `detection_defaults.json`: optional, every key optional, checked, one
/// error line naming the file otherwise; an OWL folder carries it into the model.
final class DetectionDefaultsTests: XCTestCase {
    func folder(with json: String?) throws -> URL {
        let folder = try temporaryFolder(self)
        if let json {
            try Data(json.utf8).write(to: folder.appendingPathComponent(DetectionDefaults.fileName))
        }
        return folder
    }

    func testAbsentFileMeansNoDefaults() throws {
        XCTAssertNil(try DetectionDefaults.load(folder: folder(with: nil)))
    }

    func testEveryKeyIsReadAndUnknownKeysAreIgnored() throws {
        let json = #"{"template": "a photo of a {}.", "confidence": 0.25, "iou_threshold": 0.5, "containment": true, "cross_class_score_ratio": 0.9, "refine": true, "refine_long_side": 64, "chosen_by": "a script"}"#
        let defaults = try DetectionDefaults.load(folder: folder(with: json))
        XCTAssertEqual(defaults, DetectionDefaults(template: "a photo of a {}.", confidence: 0.25, iouThreshold: 0.5, containment: true,
                                                   crossClassScoreRatio: 0.9, refine: true, refineLongSide: 64))
    }

    func testMissingKeysStayUnset() throws {
        let defaults = try DetectionDefaults.load(folder: folder(with: #"{"confidence": 0.3}"#))
        XCTAssertEqual(defaults, DetectionDefaults(confidence: 0.3))
    }

    func testOutOfRangeValuesAreNamedWithTheFile() throws {
        for (json, words) in [
            (#"{"confidence": 1.5}"#, ["confidence", "[0, 1]", "1.5"]),
            (#"{"iou_threshold": 0}"#, ["iou_threshold", "(0, 1]"]),
            (#"{"template": "a photo"}"#, ["template", "{}"]),
            (#"{"refine": true, "refine_long_side": 8}"#, ["refine_long_side", "at least 16", "8"]),
            (#"{"refine_long_side": 64}"#, ["refine_long_side", "only with \"refine\": true"]),
            (#"{"containment": true, "cross_class_score_ratio": 0}"#, ["cross_class_score_ratio", "(0, 1]", "0"]),
            (#"{"containment": true, "cross_class_score_ratio": 1.5}"#, ["cross_class_score_ratio", "(0, 1]", "1.5"]),
            (#"{"containment": false, "cross_class_score_ratio": 0.9}"#, ["cross_class_score_ratio", "only with \"containment\": true"]),
        ] {
            let dir = try folder(with: json)
            assertThrowsMessage([DetectionDefaults.fileName] + words) { _ = try DetectionDefaults.load(folder: dir) }
        }
    }

    func testMistypedValueAndBadJSONAreOneLine() throws {
        let mistyped = try folder(with: #"{"confidence": "high"}"#)
        assertThrowsMessage([DetectionDefaults.fileName, "confidence"]) { _ = try DetectionDefaults.load(folder: mistyped) }
        let notBool = try folder(with: #"{"refine": "yes"}"#)
        assertThrowsMessage([DetectionDefaults.fileName, "refine"]) { _ = try DetectionDefaults.load(folder: notBool) }
        let containmentNotBool = try folder(with: #"{"containment": 1}"#)
        assertThrowsMessage([DetectionDefaults.fileName, "containment"]) { _ = try DetectionDefaults.load(folder: containmentNotBool) }
        let broken = try folder(with: #"{"confidence": "#)
        assertThrowsMessage([DetectionDefaults.fileName, "not valid JSON"]) { _ = try DetectionDefaults.load(folder: broken) }
    }

    func testOWLFolderCarriesItsDefaultsAndABadFileStopsLoading() throws {
        let good = try OWLModelLoadingTests.copy("owlvit-p16-f32", for: self)
        try Data(#"{"template": "a drawing of a {}.", "confidence": 0.2}"#.utf8)
            .write(to: good.appendingPathComponent(DetectionDefaults.fileName))
        XCTAssertEqual(try OWLModel(folder: good).detectionDefaults, DetectionDefaults(template: "a drawing of a {}.", confidence: 0.2))

        let plain = try OWLModelLoadingTests.copy("owlvit-p8-f16", for: self)
        XCTAssertNil(try OWLModel(folder: plain).detectionDefaults)
        try Data(#"{"iou_threshold": 2}"#.utf8).write(to: plain.appendingPathComponent(DetectionDefaults.fileName))
        assertThrowsMessage([DetectionDefaults.fileName, "iou_threshold"]) { _ = try OWLModel(folder: plain) }
    }
}
