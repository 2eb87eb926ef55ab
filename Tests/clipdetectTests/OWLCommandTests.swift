import Foundation
import TestSupport
import XCTest

/// The OWL parity contract through the binary: with `--template "{}" --conf 0 --iou 1
/// --max-det 100000`, every patch is one detection whose label, score (±2e-3) and box (IoU ≥
/// 0.98 or corners within 0.5 px) are transformers' (fixtures: CLIPTests/Fixtures/owl).
final class OWLCommandTests: XCTestCase {
    static let owl = TestFixtures.clipFixtures.appendingPathComponent("owl")
    static let fixtures = ["owlvit-p16-f32", "owlvit-p8-f16", "owlv2-p10-f32", "owlv2-p12-f16"]

    struct Patch { var label: String; var score: Double; var box: [Double] }

    /// Writes a fixture's raw RGB image as a binary PPM the CLI can read.
    func ppm(_ name: String, in dir: URL) throws -> (path: String, width: Int, height: Int) {
        let file = try FileManager.default.contentsOfDirectory(atPath: Self.owl.appendingPathComponent("images").path)
            .first { $0.hasPrefix(name + "-") }!
        let size = file.dropFirst(name.count + 1).dropLast(4).split(separator: "x").map { Int($0)! }
        let bytes = try Data(contentsOf: Self.owl.appendingPathComponent("images/\(file)"))
        let url = dir.appendingPathComponent("\(name).ppm")
        try (Data("P6\n\(size[0]) \(size[1])\n255\n".utf8) + bytes).write(to: url)
        return (url.path, size[0], size[1])
    }

    func reference(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: Self.owl.appendingPathComponent("\(name)/reference.json"))) as! [String: Any]
    }

    func expected(logits: [[Double]], boxes: [[Double]], labels: [String], width: Int, height: Int) -> [Patch] {
        zip(logits, boxes).map { row, box in
            let best = row.indices.max { row[$0] < row[$1] }!
            let clipped = [min(max(box[0], 0), Double(width)), min(max(box[1], 0), Double(height)),
                           min(max(box[2], 0), Double(width)), min(max(box[3], 0), Double(height))]
            return Patch(label: labels[best], score: 1 / (1 + exp(-row[best])), box: clipped)
        }
    }

    func detections(_ r: CLIRun) throws -> [Patch] {
        let json = try JSONSerialization.jsonObject(with: r.stdoutData) as! [[String: Any]]
        return (json[0]["detections"] as! [[String: Any]]).map {
            Patch(label: $0["label"] as! String, score: $0["score"] as! Double, box: $0["box"] as! [Double])
        }
    }

    func iou(_ a: [Double], _ b: [Double]) -> Double {
        let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
        return union > 0 ? w * h / union : (a == b ? 1 : 0)
    }

    /// Every expected patch matched by a distinct detection under the contract's tolerances.
    func assertContract(_ got: [Patch], _ want: [Patch], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(what): one detection per patch", file: file, line: line)
        var used = Set<Int>()
        for (p, w) in want.enumerated() {
            let match = got.indices.filter { !used.contains($0) && got[$0].label == w.label && abs(got[$0].score - w.score) <= 2e-3 }
                .first { i in
                    iou(got[i].box, w.box) >= 0.98 || zip(got[i].box, w.box).allSatisfy { abs($0 - $1) <= 0.5 }
                }
            guard let match else {
                XCTFail("\(what): no detection matches patch \(p) (\(w.label), \(w.score), \(w.box))", file: file, line: line)
                return
            }
            used.insert(match)
        }
    }

    func testTextQueriesGiveEveryPatchAsTransformersScoresIt() throws {
        let dir = try temporaryFolder(self)
        for name in Self.fixtures {
            let ref = try reference(name)
            let queries = ref["queries"] as! [String]
            for c in ref["cases"] as! [[String: Any]] {
                let image = try ppm(c["image"] as! String, in: dir)
                let r = try CLI.run([image.path, "--model", Self.owl.appendingPathComponent(name).path,
                                     "--classes", queries.joined(separator: ","), "--template", "{}", "--conf", "0",
                                     "--iou", "1", "--max-det", "100000", "--no-save", "--json", "-"])
                XCTAssertEqual(r.status, 0, r.stderr)
                let want = expected(logits: c["logits"] as! [[Double]], boxes: c["boxes"] as! [[Double]], labels: queries,
                                    width: image.width, height: image.height)
                assertContract(try detections(r), want, "\(name) \(image.path)")
            }
        }
    }

    func testClassImageGivesTransformersImageGuidedDetection() throws {
        let dir = try temporaryFolder(self)
        for name in Self.fixtures {
            let g = try reference(name)["image_guided"] as! [String: Any]
            let target = try ppm(g["target"] as! String, in: dir), query = try ppm(g["query"] as! String, in: dir)
            let r = try CLI.run([target.path, "--model", Self.owl.appendingPathComponent(name).path,
                                 "--class-image", "thing=\(query.path)", "--template", "{}", "--conf", "0",
                                 "--iou", "1", "--max-det", "100000", "--no-save", "--json", "-"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let want = expected(logits: g["logits"] as! [[Double]], boxes: g["boxes"] as! [[Double]], labels: ["thing"],
                                width: target.width, height: target.height)
            assertContract(try detections(r), want, "\(name) image-guided")
        }
    }

    func testOWLDefaultsThresholdAndSuppress() throws {
        let dir = try temporaryFolder(self)
        let image = try ppm("wide", in: dir)
        let r = try CLI.run([image.path, "--model", Self.owl.appendingPathComponent("owlv2-p12-f16").path,
                             "--classes", "cat,dog", "--no-save", "--json", "-"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let got = try detections(r)
        XCTAssertFalse(got.isEmpty)
        XCTAssertTrue(got.allSatisfy { $0.score >= 0.1 }, "default --conf 0.1 for OWL models")
        for (i, a) in got.enumerated() {
            for b in got[(i + 1)...] where a.label == b.label {
                XCTAssertLessThanOrEqual(iou(a.box, b.box), 0.3 + 1e-6, "default --iou 0.3 for OWL models")
            }
        }
    }

    /// A folder's `detection_defaults.json` replaces the family defaults; flags still win.
    func testModelFolderDefaultsApplyUnderTheFlags() throws {
        let dir = try temporaryFolder(self)
        let image = try ppm("wide", in: dir)
        let source = Self.owl.appendingPathComponent("owlv2-p12-f16")
        let folder = dir.appendingPathComponent("owlv2-with-defaults")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors", "vocab.json", "merges.txt", "preprocessor_config.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file).resolvingSymlinksInPath(),
                                             to: folder.appendingPathComponent(file))
        }
        let args = [image.path, "--classes", "cat,dog", "--no-save", "--json", "-"]
        let plain = try detections(try CLI.run(args + ["--model", folder.path]))
        XCTAssertGreaterThan(plain.count, 2, "the family defaults report several boxes here")
        let threshold = plain.map(\.score).sorted()[plain.count / 2]
        try Data(#"{"confidence": \#(threshold), "iou_threshold": 1.0}"#.utf8)
            .write(to: folder.appendingPathComponent("detection_defaults.json"))
        let own = try detections(try CLI.run(args + ["--model", folder.path]))
        XCTAssertFalse(own.isEmpty)
        XCTAssertTrue(own.allSatisfy { $0.score >= threshold - 1e-6 }, "the folder's confidence applies")
        XCTAssertLessThan(own.count, plain.count)
        let flagged = try detections(try CLI.run(args + ["--model", folder.path, "--conf", "0.1", "--iou", "0.3"]))
        XCTAssertEqual(flagged.count, plain.count, "flags given on the command line win over the folder's defaults")
    }

    /// Refinement for OWL models: off by the family default (the parity tests above run with it),
    /// on where a folder's `detection_defaults.json` says `"refine": true` (shapes-owl's does);
    /// `--refine` and `--no-refine` win. It moves boxes only: labels and scores stay.
    func testRefinementFollowsTheFolderAndTheFlags() throws {
        let scene = CLI.packageRoot.appendingPathComponent("examples/shapes-bench/scene_009.jpg").path
        let args = [scene, "--classes", "black star,yellow diamond,green pentagon,red circle,blue square",
                    "--no-save", "--json", "-"]
        let shipped = try detections(try CLI.run(args + ["--model", "shapes-owl"]))
        let plain = try detections(try CLI.run(args + ["--model", "shapes-owl", "--no-refine"]))
        XCTAssertGreaterThanOrEqual(plain.count, 3, "shapes-owl finds the scene's objects")
        XCTAssertEqual(shipped.map(\.label), plain.map(\.label))
        XCTAssertEqual(shipped.map(\.score), plain.map(\.score))
        XCTAssertTrue(zip(shipped, plain).contains { iou($0.box, $1.box) < 0.95 }, "shapes-owl's defaults refine its boxes")
        XCTAssertTrue(zip(shipped, plain).allSatisfy { iou($0.box, $1.box) >= 0.5 }, "a box snaps only to an extent overlapping it")

        // The same weights without the key: the family default (off), and --refine turns it on
        // (BoxRefiner's own 96-px copy: the folder names no long side).
        let folder = try shapesOwlCopy(defaults: #"{"template": "a photo of a {}.", "confidence": 0.35, "iou_threshold": 0.3, "containment": true, "cross_class_score_ratio": 0.9}"#)
        XCTAssertEqual(try detections(try CLI.run(args + ["--model", folder.path])).map(\.box), plain.map(\.box),
                       "OWL models keep transformers' boxes unless their folder says \"refine\": true")
        let flagged = try detections(try CLI.run(args + ["--model", folder.path, "--refine"]))
        XCTAssertEqual(flagged.map(\.score), plain.map(\.score))
        XCTAssertTrue(zip(flagged, plain).contains { iou($0.box, $1.box) < 0.95 }, "--refine turns it on")
        XCTAssertTrue(zip(flagged, plain).allSatisfy { iou($0.box, $1.box) >= 0.5 })
    }

    /// Containment suppression for OWL models: off by the family default, on where a folder says
    /// `"containment": true`, with its `"cross_class_score_ratio"` (shapes-owl: 0.9);
    /// `--suppression` and `--cross-class-ratio` win. It only removes detections, so each output
    /// is a subset of the one with less suppression (scene_000 has other-class boxes on one place).
    func testContainmentFollowsTheFolderAndTheFlags() throws {
        let bench = CLI.packageRoot.appendingPathComponent("examples/shapes-bench")
        let gt = try JSONSerialization.jsonObject(with: Data(contentsOf: bench.appendingPathComponent("annotations.json"))) as! [String: Any]
        let names = (gt["categories"] as! [[String: Any]]).map { $0["name"] as! String }
        let args = [bench.appendingPathComponent("scene_000.jpg").path, "--classes", names.joined(separator: ","),
                    "--no-save", "--json", "-"]
        func run(_ extra: [String]) throws -> [String] {
            let r = try CLI.run(args + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            return try detections(r).map { "\($0.label) \($0.score) \($0.box)" }
        }
        let shipped = try run(["--model", "shapes-owl"])
        let nms = try run(["--model", "shapes-owl", "--suppression", "nms"])
        let strict = try run(["--model", "shapes-owl", "--cross-class-ratio", "1"])
        XCTAssertTrue(Set(shipped).isStrictSubset(of: Set(nms)), "shapes-owl's containment drops boxes NMS keeps")
        XCTAssertTrue(Set(strict).isStrictSubset(of: Set(shipped)), "ratio 1 drops near-tie labels that 0.9 keeps")
        XCTAssertEqual(try run(["--model", "shapes-owl", "--suppression", "containment"]), shipped,
                       "--suppression containment keeps the folder's ratio")

        // The same weights without the keys: the family default (NMS's output as it is);
        // --suppression containment turns it on with ContainmentSuppression's own ratio, 1.
        let folder = try shapesOwlCopy(defaults: #"{"template": "a photo of a {}.", "confidence": 0.35, "iou_threshold": 0.3, "refine": true, "refine_long_side": 64}"#)
        XCTAssertEqual(try run(["--model", folder.path]), nms, "OWL models keep NMS's output unless their folder says \"containment\": true")
        XCTAssertEqual(try run(["--model", folder.path, "--suppression", "containment"]), strict)
        XCTAssertEqual(try run(["--model", folder.path, "--cross-class-ratio", "0.9"]), shipped, "--cross-class-ratio turns containment on")
    }

    /// A copy of models/shapes-owl whose `detection_defaults.json` is `defaults`.
    func shapesOwlCopy(defaults: String) throws -> URL {
        let folder = try temporaryFolder(self).appendingPathComponent("shapes-owl-copy")
        let shippedFolder = CLI.packageRoot.appendingPathComponent("models/shapes-owl")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: shippedFolder.path) where file != "detection_defaults.json" {
            try FileManager.default.copyItem(at: shippedFolder.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        try Data(defaults.utf8).write(to: folder.appendingPathComponent("detection_defaults.json"))
        return folder
    }

    func testCLIPOnlyCommandsRejectAnOWLFolderInOneLine() throws {
        let r = try CLI.run(["embed", "--model", Self.owl.appendingPathComponent("owlvit-p8-f16").path, "--text", "a cat"])
        assertCleanFailure(r, mentions: ["config.json"])
    }
}
