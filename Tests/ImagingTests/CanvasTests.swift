import CLIP
import XCTest

import Imaging

/// `Canvas`: the one drawing surface (annotations, contact sheets).
final class CanvasTests: XCTestCase {
    func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
        let i = (y * image.width + x) * 3
        return Array(image.pixels[i..<(i + 3)])
    }

    func testFillCoversExactlyTheRectangleAndClipsAtTheEdges() {
        var canvas = Canvas(width: 10, height: 8, fill: (0, 0, 0))
        canvas.fill(PixelRect(x: 2, y: 3, width: 4, height: 2), color: (9, 8, 7))
        canvas.fill(PixelRect(left: 8, top: -5, right: 20, bottom: 0), color: (1, 2, 3))   // partly outside
        canvas.fill(PixelRect(x: 0, y: 0, width: 0, height: 5), color: (255, 255, 255))   // empty
        let image = canvas.image
        let filled = (0..<8).flatMap { y in (0..<10).map { x in (x, y) } }.filter { pixel(image, $0.0, $0.1) == [9, 8, 7] }
        XCTAssertEqual(filled.count, 8)
        XCTAssertTrue(filled.allSatisfy { (2...5).contains($0.0) && (3...4).contains($0.1) })
        XCTAssertEqual(pixel(image, 9, 0), [1, 2, 3])
        XCTAssertEqual(pixel(image, 7, 0), [0, 0, 0])
        XCTAssertEqual(pixel(image, 0, 0), [0, 0, 0], "an empty rectangle draws nothing")
    }

    func testStrokeDrawsTheOutlineOnly() {
        var canvas = Canvas(width: 12, height: 12, fill: (0, 0, 0))
        canvas.stroke(PixelRect(left: 2, top: 2, right: 9, bottom: 9), color: (200, 0, 0), thickness: 1)
        XCTAssertEqual(pixel(canvas.image, 2, 5), [200, 0, 0])
        XCTAssertEqual(pixel(canvas.image, 9, 9), [200, 0, 0])
        XCTAssertEqual(pixel(canvas.image, 5, 5), [0, 0, 0], "inside stays")
    }

    func testPasteCopiesAndClipsAtEveryEdgeInsteadOfStopping() {
        let source = RGBImage(width: 3, height: 2, pixels: (0..<18).map { UInt8($0 * 10) })
        var canvas = Canvas(width: 4, height: 4, fill: (1, 1, 1))
        canvas.paste(source, x: 2, y: -1)      // only columns 0-1 of source row 1 land, at (2...3, 0)
        canvas.paste(source, x: -10, y: -10)   // entirely outside: nothing
        canvas.paste(source, x: 100, y: 100)
        XCTAssertEqual(pixel(canvas.image, 2, 0), [90, 100, 110])
        XCTAssertEqual(pixel(canvas.image, 3, 0), [120, 130, 140])
        XCTAssertEqual(pixel(canvas.image, 1, 0), [1, 1, 1])
        XCTAssertEqual(pixel(canvas.image, 2, 1), [1, 1, 1])
    }

    func testTextIsMeasuredFittedWrappedAndDrawn() throws {
        var canvas = Canvas(width: 200, height: 40, fill: (0, 0, 0))
        let size = try XCTUnwrap(canvas.measure("Hello", scale: 0.5, thickness: 1))
        XCTAssertGreaterThan(size.width, 20)
        XCTAssertGreaterThan(size.height, 5)
        let long = String(repeating: "word ", count: 20)
        let fitted = canvas.fitted(long, maxWidth: 80, scale: 0.5, thickness: 1)
        XCTAssertTrue(fitted.hasSuffix("..."), fitted)
        XCTAssertLessThanOrEqual(try XCTUnwrap(canvas.measure(fitted, scale: 0.5, thickness: 1)).width, 80)
        let lines = canvas.wrapped(long, maxWidth: 80, scale: 0.5, thickness: 1)
        XCTAssertGreaterThan(lines.count, 2)
        XCTAssertEqual(lines.joined(separator: " "), long.trimmingCharacters(in: .whitespaces))
        canvas.text("Hello", x: 2, baseline: 20, scale: 0.5, thickness: 1, color: (255, 255, 255))
        XCTAssertTrue(canvas.image.pixels.contains { $0 > 100 }, "text drew light pixels on black")
    }
}
