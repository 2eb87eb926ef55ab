import CLIP
import Detection
import Foundation
import Imaging
import TestSupport
import XCTest

/// Labels in any script: outline-font labels (`--font`, fontconfig otherwise), the built-in
/// fallback with one warning, and a stdout table aligned in terminal columns.
final class LabelTextCommandTests: XCTestCase {
    static let scene = CLI.packageRoot.appendingPathComponent("examples/scene.png")
    static let reference = CLI.packageRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/text/label_zh_reference.png")

    /// Cuts a square out of examples/scene.png as an example picture for `--class-image`.
    private func exemplar(x: Int, y: Int, side: Int, to url: URL) throws {
        let scene = try ImageLoader.load(path: Self.scene.path)
        var out = RGBImage(width: side, height: side, fill: (0, 0, 0))
        for r in 0..<side {
            let from = ((y + r) * scene.width + x) * 3
            out.pixels.replaceSubrange((r * side * 3)..<((r + 1) * side * 3), with: scene.pixels[from..<(from + side * 3)])
        }
        try ImageWriter.write(out, to: url.path)
    }

    /// Runs the detector on examples/scene.png with one example-picture class named `name`
    /// (the red star): one detection, score 1.00 whatever the name.
    private func detectStar(named name: String, font: String?, in dir: URL, output: String,
                            env: [String: String] = [:]) throws -> (CLIRun, [Detection]) {
        let star = dir.appendingPathComponent("star.png")
        if !FileManager.default.fileExists(atPath: star.path) { try exemplar(x: 305, y: 350, side: 90, to: star) }
        let json = output + ".json"
        let r = try CLI.run([Self.scene.path, "--class-image", "\(name)=\(star.path)", "--background", "", "--conf", "0",
                             "--max-det", "1", "--output", output, "--json", json] + (font.map { ["--font", $0] } ?? []),
                            cwd: dir, env: env)
        guard r.status == 0 else { return (r, []) }
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(json))) as! [[String: Any]]
        let detections = (results[0]["detections"] as! [[String: Any]]).map { d -> Detection in
            let b = d["box"] as! [Double]
            return Detection(label: d["label"] as! String, classId: d["class_id"] as! Int, score: Float(d["score"] as! Double),
                             box: Box(x1: Float(b[0]), y1: Float(b[1]), x2: Float(b[2]), y2: Float(b[3])))
        }
        return (r, detections)
    }

    /// Must show: the same detections labelled "长颈鹿" and "a giraffe" give images that decode and
    /// differ only inside the label boxes, and the Chinese label matches an independent
    /// rendering (Pillow + FreeType, same font) within the tolerance below.
    func testChineseAndLatinLabelsDifferOnlyInsideTheLabelBoxesAndMatchTheReference() throws {
        let font = try TestFonts.cjk()
        let dir = try temporaryFolder(self)
        let (zhRun, zh) = try detectStar(named: "长颈鹿", font: font, in: dir, output: "zh.png")
        let (enRun, en) = try detectStar(named: "a giraffe", font: font, in: dir, output: "en.png")
        XCTAssertEqual(zhRun.status, 0, zhRun.stderr)
        XCTAssertEqual(enRun.status, 0, enRun.stderr)
        XCTAssertFalse(zhRun.stderr.contains("warning"), zhRun.stderr)
        XCTAssertEqual(zh.count, 1)
        XCTAssertEqual(zh.map(\.box), en.map(\.box), "same detections whatever the class is called")
        XCTAssertEqual(zh.map(\.label), ["长颈鹿"])
        let zhImage = try ImageLoader.load(path: dir.appendingPathComponent("zh.png").path)
        let enImage = try ImageLoader.load(path: dir.appendingPathComponent("en.png").path)
        XCTAssertEqual([zhImage.width, zhImage.height], [640, 480])
        XCTAssertEqual([enImage.width, enImage.height], [640, 480])

        let annotator = Annotator(font: try OutlineFont(path: font))
        let zhFrame = try XCTUnwrap(annotator.labelBoxes(for: zh, width: 640, height: 480)[0])
        let enFrame = try XCTUnwrap(annotator.labelBoxes(for: en, width: 640, height: 480)[0])
        func inside(_ r: PixelRect, _ x: Int, _ y: Int) -> Bool {
            (r.left...r.right).contains(x) && (r.top...r.bottom).contains(y)
        }
        var differing = 0
        for y in 0..<480 {
            for x in 0..<640 where zhImage.pixels[(y * 640 + x) * 3..<(y * 640 + x) * 3 + 3] != enImage.pixels[(y * 640 + x) * 3..<(y * 640 + x) * 3 + 3] {
                differing += 1
                if !inside(zhFrame, x, y) && !inside(enFrame, x, y) {
                    XCTFail("pixel (\(x), \(y)) differs outside both label boxes \(zhFrame), \(enFrame)")
                    return
                }
            }
        }
        XCTAssertGreaterThan(differing, 200, "the labels must differ")

        // The Chinese label against the reference (make_label_reference.py). Both are FreeType
        // renderings of the same outlines, but OpenCV places glyphs and blends coverage its own
        // way and Pillow its own, so anti-aliased edges differ: measured mean absolute
        // difference 5.05 of 255, 97.2 % of samples within 64. Tolerance: mean ≤ 8 and ≥ 95 %
        // within 64. Wrong labels rendered the same way fail it against our output: "??? 1.00"
        // 30.3 / 83 %, a 1 px shift 22.7 / 86 %, one pixel size smaller 27.7 / 83 %, and even
        // "长颈麂" (one near-identical character swapped) 10.3 / 94 %.
        let reference = try ImageLoader.load(path: Self.reference.path)
        let left = zhFrame.left, top = zhFrame.top
        XCTAssertEqual([zhFrame.width, zhFrame.height], [reference.width, reference.height],
                       "label box size: the layout changed, regenerate the reference (see make_label_reference.py)")
        guard zhFrame.width == reference.width, zhFrame.height == reference.height else { return }
        var total = 0, close = 0
        for y in 0..<reference.height {
            for x in 0..<reference.width {
                for k in 0..<3 {
                    let a = Int(zhImage.pixels[((top + y) * 640 + left + x) * 3 + k])
                    let b = Int(reference.pixels[(y * reference.width + x) * 3 + k])
                    total += abs(a - b)
                    if abs(a - b) <= 64 { close += 1 }
                }
            }
        }
        let samples = reference.width * reference.height * 3
        let mean = Double(total) / Double(samples)
        XCTAssertLessThanOrEqual(mean, 8, "mean absolute difference to the reference")
        XCTAssertGreaterThanOrEqual(Double(close) / Double(samples), 0.95, "share of samples within 64 of the reference")
    }

    /// The stdout table pads labels to the same terminal column: a Chinese character is two.
    func testTableAlignsMixedChineseAndLatinLabels() throws {
        let dir = try temporaryFolder(self)
        let star = dir.appendingPathComponent("star.png"), circle = dir.appendingPathComponent("circle.png")
        try exemplar(x: 305, y: 350, side: 90, to: star)
        try exemplar(x: 475, y: 220, side: 140, to: circle)
        let r = try CLI.run([Self.scene.path, "--class-image", "红色星星=\(star.path)", "--class-image", "blue circle=\(circle.path)",
                             "--background", "", "--conf", "0.3", "--max-det", "10", "--no-save"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("  label") })
        let rows = lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("  label") }
        XCTAssertTrue(rows.contains { $0.hasPrefix("  红色星星   ") }, r.stdout)
        XCTAssertTrue(rows.contains { $0.hasPrefix("  blue circle  ") }, r.stdout)
        // "label" is padded to the widest label: "blue circle", 11 columns ("红色星星" is 8).
        XCTAssertEqual(header, "  label        score      x1      y1      x2      y2")
        let scoreColumn = DisplayWidth.columns(header.prefix(upTo: header.range(of: "score")!.lowerBound))
        for row in rows {
            let number = row.range(of: #"\d\.\d{3}"#, options: .regularExpression)!
            XCTAssertEqual(DisplayWidth.columns(row[..<number.lowerBound]), scoreColumn, "row \"\(row)\"")
        }
    }

    /// With no usable font (fontconfig pointed at an empty configuration) labels still render,
    /// in the built-in font, and one warning says how to install a font.
    func testWithoutFontsLabelsFallBackWithOneWarning() throws {
        let dir = try temporaryFolder(self)
        let config = dir.appendingPathComponent("fonts.conf")
        try Data("<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n".utf8).write(to: config)
        let env = ["FONTCONFIG_FILE": config.path, "FONTCONFIG_PATH": dir.path, "XDG_CACHE_HOME": dir.path]
        let (r, detections) = try detectStar(named: "长颈鹿", font: nil, in: dir, output: "zh.png", env: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(detections.count, 1)
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning:") }
        XCTAssertEqual(warnings.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("fonts-wqy-microhei"), r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("zh.png").path))
    }

    func testUnreadableFontIsOneErrorLine() throws {
        let dir = try temporaryFolder(self)
        let r = try CLI.run([Self.scene.path, "--classes", "red star", "--font", dir.appendingPathComponent("none.ttf").path],
                            cwd: dir)
        assertCleanFailure(r, mentions: ["--font", "none.ttf"])
        let notFont = dir.appendingPathComponent("notes.otf")
        try Data("hello".utf8).write(to: notFont)
        assertCleanFailure(try CLI.run([Self.scene.path, "--classes", "red star", "--font", notFont.path], cwd: dir),
                           mentions: ["--font", "notes.otf"])
    }
}
