import Foundation
import TestSupport
import XCTest

/// The main job, end to end through the binary, on a small random-weight model.
final class DetectCommandTests: XCTestCase {
    let model = CLI.fixtureModel()
    let photo = CLI.packageRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/decode").path

    func anyPhoto() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: photo).sorted()
        return photo + "/" + names.first { $0.hasSuffix(".jpg") && !$0.contains("cmyk") && !$0.contains("grey") }!
    }

    func testDetectWritesAnnotatedImageAndJSONWithTheDocumentedSchema() throws {
        let dir = try temporaryFolder(self)
        let input = try anyPhoto()
        let r = try CLI.run([input, "--model", model, "--classes", "red star,blue circle:0.2", "--conf", "0",
                             "--max-proposals", "20", "--json", "out.json"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        let annotated = dir.appendingPathComponent("\(stem)_detections.jpg")
        XCTAssertTrue(FileManager.default.fileExists(atPath: annotated.path), "default output in the working directory")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out.json"))) as! [[String: Any]]
        XCTAssertEqual(json.count, 1)
        let obj = json[0]
        XCTAssertEqual(Set(obj.keys), ["image", "width", "height", "model", "classes", "detections"])
        XCTAssertEqual(obj["classes"] as? [String], ["red star", "blue circle"])
        let dets = obj["detections"] as! [[String: Any]]
        XCTAssertFalse(dets.isEmpty, "--conf 0 keeps every box that survives NMS")
        let w = obj["width"] as! Double, h = obj["height"] as! Double
        var last = 2.0
        for d in dets {
            XCTAssertEqual(Set(d.keys), ["label", "class_id", "score", "box"])
            let score = d["score"] as! Double, box = d["box"] as! [Double]
            XCTAssertTrue((0...1).contains(score))
            XCTAssertLessThanOrEqual(score, last, "sorted by score")
            last = score
            XCTAssertEqual(box.count, 4)
            XCTAssertTrue(box[0] >= 0 && box[1] >= 0 && box[2] <= w && box[3] <= h && box[0] < box[2] && box[1] < box[3])
            let id = d["class_id"] as! Int
            XCTAssertEqual(d["label"] as? String, ["red star", "blue circle"][id])
            if id == 1 { XCTAssertGreaterThanOrEqual(score, 0.2, "per-class threshold") }
        }
        XCTAssertTrue(r.stdout.contains("label"), "table on stdout: \(r.stdout)")
    }

    func testCOCOFormat() throws {
        let dir = try temporaryFolder(self)
        let r = try CLI.run([try anyPhoto(), "--model", model, "--classes", "a,b", "--conf", "0", "--max-proposals", "10",
                             "--no-save", "--json", "-", "--format", "coco"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let list = try JSONSerialization.jsonObject(with: r.stdoutData) as! [[String: Any]]
        XCTAssertFalse(list.isEmpty)
        for d in list {
            XCTAssertEqual(Set(d.keys), ["image_id", "category_id", "bbox", "score"])
            XCTAssertEqual(d["image_id"] as? Int, 1)
            XCTAssertTrue([1, 2].contains(d["category_id"] as! Int))
        }
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "--no-save writes no image")
    }

    func testNoDetectionsExitsZeroAndSaysSo() throws {
        let dir = try temporaryFolder(self)
        let r = try CLI.run([try anyPhoto(), "--model", model, "--classes", "a", "--conf", "1", "--max-proposals", "5"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("no detections"), r.stdout)
    }

    func testEmptyClassesIsOneErrorLine() throws {
        let dir = try temporaryFolder(self)
        let r = try CLI.run([try anyPhoto(), "--model", model, "--classes", ""], cwd: dir)
        assertCleanFailure(r, mentions: ["--classes", "empty"])
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "no partial output")
    }

    func testConfOutOfRangeIsOneErrorLine() throws {
        let r = try CLI.run([try anyPhoto(), "--model", model, "--classes", "a", "--conf", "1.5"])
        assertCleanFailure(r, mentions: ["--conf", "[0, 1]"])
    }

    func testArgumentErrorsAreOneLineWithoutTheUsageScreen() throws {
        let unknown = try CLI.run([try anyPhoto(), "--model", model, "--classes", "a", "--no-such-flag"])
        assertCleanFailure(unknown, mentions: ["--no-such-flag"])
        let r = try CLI.run([try anyPhoto(), "--model", model, "--classes", "a", "--iou", "2"])
        assertCleanFailure(r, mentions: ["--iou 2 must be in [0, 1]"])
        XCTAssertEqual(r.status, 64, "EX_USAGE, as ArgumentParser's own usage errors")
        assertCleanFailure(try CLI.run([try anyPhoto(), "--model", model, "--classes", "a", "--cross-class-ratio", "0"]),
                           mentions: ["--cross-class-ratio 0 must be in (0, 1]"])
        assertCleanFailure(try CLI.run([try anyPhoto(), "--model", model, "--classes", "a", "--suppression", "nms", "--cross-class-ratio", "0.9"]),
                           mentions: ["--cross-class-ratio", "--suppression nms"])
        assertCleanFailure(try CLI.run([try anyPhoto(), "--model", model, "--classes", "a:1.5"]),
                           mentions: ["--classes: threshold 1.5 for \"a\" must be in [0, 1]"])
        let both = try CLI.run([try anyPhoto(), "--model", model, "--config", "owlvit-b-32", "--classes", "a"])
        assertCleanFailure(both, mentions: ["--model and --config are exclusive"])
        XCTAssertEqual(both.status, 64, "checked in validate(), before any model loads")
    }

    func testMissingImageIsOneErrorLine() throws {
        let r = try CLI.run(["/no/such/photo.jpg", "--model", model, "--classes", "a"])
        assertCleanFailure(r, mentions: ["/no/such/photo.jpg"])
    }

    func testCorruptImageIsOneErrorLineAndNoOutput() throws {
        let dir = try temporaryFolder(self)
        let data = try Data(contentsOf: URL(fileURLWithPath: try anyPhoto()))
        try data.prefix(data.count / 2).write(to: dir.appendingPathComponent("cut.jpg"))
        let r = try CLI.run(["cut.jpg", "--model", model, "--classes", "a", "--json", "out.json"], cwd: dir)
        assertCleanFailure(r, mentions: ["cut.jpg"])
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(left, ["cut.jpg"], "no annotated image, no JSON, no temp files")
    }

    func testUnwritableOutputFolderFailsBeforeAnyWork() throws {
        let r = try CLI.run([try anyPhoto(), "--model", model, "--classes", "a", "--output", "/proc/nope/out.jpg"])
        assertCleanFailure(r, mentions: ["/proc/nope"])
    }

    func testNeverOverwritesTheInput() throws {
        let dir = try temporaryFolder(self)
        let input = dir.appendingPathComponent("p.jpg")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: try anyPhoto()), to: input)
        let before = try Data(contentsOf: input)
        let r = try CLI.run(["p.jpg", "--model", model, "--classes", "a", "--output", "p.jpg"], cwd: dir)
        assertCleanFailure(r, mentions: ["overwrite"])
        XCTAssertEqual(try Data(contentsOf: input), before)
    }

    func testCorruptImageInAFolderIsSkippedAndTheRestProcessed() throws {
        let dir = try temporaryFolder(self)
        let images = dir.appendingPathComponent("imgs")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let good = try Data(contentsOf: URL(fileURLWithPath: try anyPhoto()))
        try good.write(to: images.appendingPathComponent("a.jpg"))
        try good.prefix(100).write(to: images.appendingPathComponent("b.jpg"))
        try good.write(to: images.appendingPathComponent("c.jpg"))
        let r = try CLI.run(["imgs", "--model", model, "--classes", "a", "--conf", "0", "--max-proposals", "5",
                             "--output", "out", "--json", "all.json"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("b.jpg"), "the corrupt file is reported: \(r.stderr)")
        let outs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        XCTAssertEqual(outs, ["a_detections.jpg", "c_detections.jpg"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("all.json"))) as! [[String: Any]]
        XCTAssertEqual(json.map { ($0["image"] as! String).hasSuffix("a.jpg") || ($0["image"] as! String).hasSuffix("c.jpg") }, [true, true])
    }
}
