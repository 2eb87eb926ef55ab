import CLIP
import Foundation
import Imaging
import TestSupport
import XCTest
@testable import Search

/// Contact sheets draw their query text and captions in any script the font covers.
final class ContactSheetTextTests: XCTestCase {
    /// The dark query tile of a 1-hit sheet: how many of its pixels the text lightened.
    private func queryInk(_ text: String, font: OutlineFont) -> [Bool] {
        let sheet = ContactSheet(font: font).render(query: .text(text), hits: [SearchHit(path: "none", score: 0.5)]) { _ in nil }
        var ink: [Bool] = []
        for y in 8..<(8 + 192) {
            for x in 8..<(8 + 192) {
                ink.append(sheet.pixels[(y * sheet.width + x) * 3] > 120)  // tile (36, 52, 84), text white
            }
        }
        return ink
    }

    func testChineseQueryTextIsDrawnAsItsOwnGlyphsNotQuestionMarks() throws {
        let font = try OutlineFont(path: TestFonts.cjk())
        let chinese = queryInk("长颈鹿", font: font)
        let marks = queryInk("???", font: font)
        XCTAssertGreaterThan(chinese.filter { $0 }.count, 100, "the query text is drawn")
        XCTAssertGreaterThan(zip(chinese, marks).filter { $0 != $1 }.count, 100, "and it is not question marks")
        XCTAssertEqual(queryInk("长颈鹿", font: font), chinese, "deterministic")
    }

    func testCaptionsKeepWideFileNamesInsideTheTile() throws {
        let face = TextFace(font: try OutlineFont(path: TestFonts.cjk()))
        var canvas = Canvas(width: 1, height: 1, fill: (0, 0, 0))
        canvas.face = face
        let name = String(repeating: "长颈鹿", count: 20) + ".jpg"
        let fitted = canvas.fitted(name, maxWidth: 192, scale: 0.45, thickness: 1)
        XCTAssertTrue(fitted.hasSuffix("..."), fitted)
        XCTAssertLessThanOrEqual(try XCTUnwrap(face.size(fitted, scale: 0.45, thickness: 1)).width, 192)
    }
}
