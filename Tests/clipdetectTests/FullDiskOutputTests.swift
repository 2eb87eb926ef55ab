import CLIP
import Detection
import Foundation
import Imaging
import TestSupport
import XCTest

/// Every file the CLI writes, aimed at a full 64 KiB tmpfs and at a read-only one (mounted by the
/// test; skipped with the reason unless running as root): exit status non-zero, exactly one
/// `error: …` line naming the file, and nothing left in the folder — no partial output, no
/// temporary.
final class FullDiskOutputTests: XCTestCase {
    let model = CLI.fixtureModel()
    let photo = CLI.packageRoot.appendingPathComponent("Tests/CLIPTests/Fixtures/preprocess/baboon.jpg").path
    var quick: [String] { ["--model", model, "--classes", "red star,blue circle", "--conf", "0", "--max-proposals", "6"] }

    /// Runs `arguments(folder)` once on each kind of mount; `output` is the file it must name.
    private func assertEachMountRefuses(_ output: String, cwd: URL? = nil, _ arguments: (URL) throws -> [String],
                                        line: UInt = #line) throws {
        for kind in [SmallMount.Kind.full, .readOnly] {
            let disk = try SmallMount(kind, test: self)
            defer { disk.unmount() }
            let target = disk.url.appendingPathComponent(output).path
            let r = try CLI.run(try arguments(disk.url), cwd: cwd)
            assertCleanFailure(r, mentions: [target], line: line)
            XCTAssertEqual(try disk.strayFiles(), [], "\(kind.rawValue): files left behind", line: line)
        }
    }

    func testAnnotatedImage() throws {
        try assertEachMountRefuses("out.jpg") { [photo, "--output", $0.appendingPathComponent("out.jpg").path] + self.quick }
    }

    func testDetectionsJSON() throws {
        try assertEachMountRefuses("out.json") { [photo, "--no-save", "--json", $0.appendingPathComponent("out.json").path] + self.quick }
    }

    func testVideoAndJSONLines() throws {
        let dir = try temporaryFolder(self)
        let input = dir.appendingPathComponent("clip.avi").path
        let writer = try VideoWriter(path: input, fps: 10, width: 96, height: 64)
        for i in 0..<12 { try writer.write(RGBImage(width: 96, height: 64, fill: (UInt8(20 * i), 90, 40))) }
        try writer.close()
        try assertEachMountRefuses("out.avi") { [input, "--output", $0.appendingPathComponent("out.avi").path] + self.quick }
        try assertEachMountRefuses("out.jsonl") {
            [input, "--no-save", "--json-lines", $0.appendingPathComponent("out.jsonl").path] + self.quick
        }
    }

    func testIndex() throws {
        let dir = try temporaryFolder(self)
        let photos = dir.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: photo, toPath: photos.appendingPathComponent("a.jpg").path)
        try assertEachMountRefuses("p.sqlite") {
            ["index", photos.path, "--index", $0.appendingPathComponent("p.sqlite").path, "--model", self.model]
        }
    }

    func testEvalPredictions() throws {
        let dir = try temporaryFolder(self)
        try FileManager.default.copyItem(atPath: photo, toPath: dir.appendingPathComponent("a.jpg").path)
        let gt: [String: Any] = [
            "images": [["id": 1, "file_name": "a.jpg", "width": 0, "height": 0]],
            "annotations": [["id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 2, 20, 20], "area": 400, "iscrowd": 0]],
            "categories": [["id": 1, "name": "red star"]],
        ]
        try JSONSerialization.data(withJSONObject: gt).write(to: dir.appendingPathComponent("gt.json"))
        try assertEachMountRefuses("pred.json", cwd: dir) {
            ["eval", "--model", self.model, "--images", dir.path, "--annotations", "gt.json", "--conf", "0", "--max-proposals", "6",
             "--predictions", $0.appendingPathComponent("pred.json").path, "--json"]
        }
    }
}
