import CLIP
import Foundation
import Imaging
import TestSupport
import XCTest
@testable import Search

final class ContactSheetTests: XCTestCase {
    func testSheetHasTheDocumentedGridSizeAndDecodes() throws {
        let dir = try temporaryFolder(self)
        let paths = try Fixture.writeImages(3, to: dir)
        let hits = paths.enumerated().map { SearchHit(path: $1, score: 0.9 - Float($0) / 10) }
        let sheet = ContactSheet().render(query: .text("a giraffe"), hits: hits)
        // 4 tiles → 2 columns × 2 rows of 192² thumbnails + 44 px captions, 8 px gaps.
        XCTAssertEqual(sheet.width, 8 + 2 * (192 + 8))
        XCTAssertEqual(sheet.height, 8 + 2 * (192 + 44 + 8))
        let out = dir.appendingPathComponent("sheet.png").path
        try ImageWriter.write(sheet, to: out)
        let decoded = try ImageLoader.load(path: out)
        XCTAssertEqual([decoded.width, decoded.height], [408, 496])
        XCTAssertEqual(decoded.pixels, sheet.pixels, "PNG is lossless")
    }

    func testThumbnailsShowTheHitImagesInRankOrder() throws {
        let a = RGBImage(width: 40, height: 20, pixels: [UInt8](repeating: 0, count: 40 * 20 * 3).enumerated().map { $0.offset % 3 == 0 ? 255 : 0 })
        let b = RGBImage(width: 20, height: 40, pixels: [UInt8](repeating: 0, count: 20 * 40 * 3).enumerated().map { $0.offset % 3 == 2 ? 255 : 0 })
        let sheet = ContactSheet(tileSize: 64, captionHeight: 44, gap: 4, maxColumns: 3)
            .render(query: .image(a, name: "q.png"), hits: [SearchHit(path: "b", score: 0.5), SearchHit(path: "a", score: 0.4)]) {
                $0 == "a" ? a : b
            }
        // 3 tiles → ⌈√3⌉ = 2 columns, 2 rows.
        XCTAssertEqual([sheet.width, sheet.height], [4 + 2 * 68, 4 + 2 * (64 + 44 + 4)])
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(sheet.pixels[((y * sheet.width + x) * 3)..<((y * sheet.width + x) * 3 + 3)]) }
        XCTAssertEqual(pixel(4 + 32, 4 + 32), [255, 0, 0], "query tile: the red query image")
        XCTAssertEqual(pixel(72 + 32, 4 + 32), [0, 0, 255], "rank 1: the blue hit")
        XCTAssertEqual(pixel(72 + 2, 4 + 32), [225, 225, 225], "a tall image is letterboxed")
        XCTAssertEqual(pixel(4 + 32, 116 + 32), [255, 0, 0], "rank 2, second row: the red hit")
    }

    func testUnreadableHitGetsAGreyTileInsteadOfFailing() {
        let sheet = ContactSheet(tileSize: 64).render(query: .text("x"), hits: [SearchHit(path: "/gone.jpg", score: 0.2)]) { _ in nil }
        XCTAssertEqual([sheet.width, sheet.height], [8 + 2 * 72, 8 + 64 + 44 + 8])
        let i = ((8 + 4) * sheet.width + 72 + 8 + 4) * 3
        XCTAssertEqual(Array(sheet.pixels[i..<(i + 3)]), [160, 160, 160])
    }
}
