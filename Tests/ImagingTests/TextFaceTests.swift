import CLIP
import TestSupport
import XCTest

@testable import Imaging

/// `TextFace` and `OutlineFont`: outline-font text sized like the Hershey font it replaces,
/// fontconfig discovery, the built-in fallback, one-line errors for bad font files.
final class TextFaceTests: XCTestCase {
    /// The sizes the annotator uses on a 640×480 image.
    private let scale = 2.0 / 3, thickness = 1

    func testBuiltInFontShowsEachNonASCIICharacterAsOneQuestionMark() {
        XCTAssertEqual(TextFace.ascii("长颈鹿 0.87"), "??? 0.87")
        XCTAssertEqual(TextFace.ascii("cafe\u{301}"), "caf?", "one mark per character, not per code point or byte")
        let latin = TextFace.builtIn.size("a giraffe", scale: scale, thickness: thickness)
        XCTAssertEqual(TextFace.builtIn.size("a 长颈鹿", scale: scale, thickness: thickness)?.width,
                       TextFace.builtIn.size("a ???", scale: scale, thickness: thickness)?.width)
        XCTAssertNotNil(latin)
    }

    func testLatinTextKeepsTheHersheyLineHeightAndCJKOnlyGrowsIt() throws {
        let face = TextFace(font: try OutlineFont(path: TestFonts.cjk()))
        let hershey = try XCTUnwrap(TextFace.builtIn.size("HEX", scale: scale, thickness: thickness))
        let latin = try XCTUnwrap(face.size("HEX", scale: scale, thickness: thickness))
        XCTAssertEqual(latin.height, hershey.height, "capitals as tall as Hershey's")
        XCTAssertEqual(latin.baseline, hershey.baseline, "descent as Hershey's")
        let chinese = try XCTUnwrap(face.size("长颈鹿", scale: scale, thickness: thickness))
        XCTAssertGreaterThanOrEqual(chinese.height, hershey.height)
        XCTAssertLessThanOrEqual(chinese.height, hershey.height * 3 / 2)
        XCTAssertGreaterThan(chinese.width, 3 * hershey.height, "three ideographs about an em each")
    }

    func testInkStaysInsideTheMeasuredBox() throws {
        let face = TextFace(font: try OutlineFont(path: TestFonts.cjk()))
        for text in ["长颈鹿 1.00", "a giraffe 1.00", "Égypte"] {
            let size = try XCTUnwrap(face.size(text, scale: scale, thickness: thickness))
            var image = RGBImage(width: 200, height: 60, fill: (0, 0, 0))
            let x = 20, baseline = 35
            image.pixels.withUnsafeMutableBufferPointer {
                face.draw(text, on: $0.baseAddress!, width: 200, height: 60, x: x, baseline: baseline, scale: scale,
                          thickness: thickness, color: (255, 255, 255))
            }
            var inked = 0
            for y in 0..<60 {
                for x0 in 0..<200 where image.pixels[(y * 200 + x0) * 3] > 0 {
                    inked += 1
                    XCTAssertTrue((x - 1..<x + size.width + 1).contains(x0), "\(text): column \(x0) outside the advance")
                    XCTAssertTrue((baseline - size.height..<baseline + size.baseline).contains(y), "\(text): row \(y) outside the line")
                }
            }
            XCTAssertGreaterThan(inked, 50, text)
        }
    }

    func testGlyphCoverage() throws {
        let font = try OutlineFont(path: TestFonts.cjk())
        XCTAssertEqual(font.missingGlyphs(in: "长颈鹿 a giraffe キリン 기린 жираф"), 0)
        XCTAssertEqual(font.missingGlyphs(in: "ሰላም x"), 3, "no Ethiopic in WenQuanYi")
    }

    func testFontconfigFindsAFontCoveringChineseLabels() throws {
        _ = try TestFonts.cjk()
        let face = TextFace.covering(["长颈鹿 0.91", "a giraffe 0.88"])
        let font = try XCTUnwrap(face.font, "fontconfig found no font although \(TestFonts.cjkPath) is installed")
        XCTAssertEqual(font.missingGlyphs(in: "长颈鹿 0.91 a giraffe 0.88"), 0, "\(font)")
    }

    func testBadFontFilesAreOneLineErrors() throws {
        let folder = try temporaryFolder(self)
        XCTAssertThrowsError(try OutlineFont(path: folder.appendingPathComponent("none.ttf").path)) {
            XCTAssertEqual(($0 as? ImagingError)?.kind, .unreadable)
        }
        let text = folder.appendingPathComponent("notes.ttf")
        try Data("not a font\n".utf8).write(to: text)
        XCTAssertThrowsError(try OutlineFont(path: text.path)) {
            let error = $0 as? ImagingError
            XCTAssertEqual(error?.kind, .unsupportedFormat)
            XCTAssertFalse(error?.description.contains("\n") ?? true)
        }
    }
}
