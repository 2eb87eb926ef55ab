import Foundation
import TestSupport
import XCTest

final class EvalCommandTests: XCTestCase {
    /// A two-image COCO set built from the decode fixtures, one annotation each.
    func makeDataset() throws -> URL {
        let dir = try temporaryFolder(self)
        let src = CLI.packageRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/decode")
        let jpgs = try FileManager.default.contentsOfDirectory(atPath: src.path).filter { $0.hasSuffix(".jpg") && !$0.contains("cmyk") }.sorted().prefix(2)
        var images: [[String: Any]] = [], anns: [[String: Any]] = []
        for (i, name) in jpgs.enumerated() {
            try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: dir.appendingPathComponent(name))
            images.append(["id": i + 1, "file_name": name, "width": 0, "height": 0])
            anns.append(["id": i + 1, "image_id": i + 1, "category_id": 1 + i % 2, "bbox": [2, 2, 20, 20], "area": 400, "iscrowd": 0])
        }
        let gt: [String: Any] = ["images": images, "annotations": anns,
                                 "categories": [["id": 1, "name": "red star", "heldout": false], ["id": 2, "name": "blue circle", "heldout": true]]]
        try JSONSerialization.data(withJSONObject: gt).write(to: dir.appendingPathComponent("gt.json"))
        return dir
    }

    func testEvalReportsAPAndWritesCOCOPredictions() throws {
        let dir = try makeDataset()
        let r = try CLI.run(["eval", "--model", CLI.fixtureModel(), "--images", dir.path, "--annotations", "gt.json",
                             "--predictions", "pred.json", "--conf", "0", "--max-proposals", "10", "--json"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
        for key in ["ap", "ap50", "ap75", "heldout_ap50", "seen_ap50", "per_class", "stats", "conf", "boxes_per_object", "precision", "recall"] {
            XCTAssertNotNil(report[key], "missing \(key)")
        }
        XCTAssertEqual((report["stats"] as! [Double]).count, 12)
        let preds = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("pred.json"))) as! [[String: Any]]
        XCTAssertFalse(preds.isEmpty)
        for p in preds {
            XCTAssertEqual(Set(p.keys), ["image_id", "category_id", "bbox", "score"])
            XCTAssertTrue([1, 2].contains(p["image_id"] as! Int))
            XCTAssertTrue([1, 2].contains(p["category_id"] as! Int))
        }
    }

    func testMissingAnnotationsIsOneErrorLine() throws {
        let r = try CLI.run(["eval", "--model", CLI.fixtureModel(), "--images", "/tmp", "--annotations", "/no/gt.json"])
        assertCleanFailure(r, mentions: ["/no/gt.json"])
    }
}
