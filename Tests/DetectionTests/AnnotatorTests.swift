import CLIP
import TestSupport
import XCTest

@testable import Detection

/// `Annotator`: boxes in the class colour, readable labels, clamped to the image, no crash on
/// boxes at or beyond the border.
final class AnnotatorTests: XCTestCase {
    private let grey = RGBImage(width: 200, height: 150, fill: (128, 128, 128))

    private func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
        let i = 3 * (y * image.width + x)
        return Array(image.pixels[i..<(i + 3)])
    }

    private func rgb(_ c: (r: UInt8, g: UInt8, b: UInt8)) -> [UInt8] { [c.r, c.g, c.b] }

    /// Pixels of `image` in `rows` × `columns` within `tolerance` of `color` on every channel.
    /// Anti-aliased text is blended with the label background, so text pixels are counted with
    /// a tolerance; fills and box lines are exact.
    private func count(_ color: [UInt8], in image: RGBImage, rows: Range<Int>, columns: Range<Int>? = nil,
                       tolerance: Int = 0) -> Int {
        var n = 0
        for y in rows {
            for x in columns ?? 0..<image.width
            where zip(pixel(image, x, y), color).allSatisfy({ abs(Int($0) - Int($1)) <= tolerance }) {
                n += 1
            }
        }
        return n
    }

    func testEmptyListReturnsTheImageUnchanged() {
        XCTAssertEqual(Annotator().draw([], on: grey), grey)
    }

    func testBoxEdgesHaveTheClassColourAndTheInsideIsUntouched() {
        let detection = Detection(label: "cat", classId: 3, score: 0.87, box: Box(x1: 40, y1: 60, x2: 160, y2: 130))
        let drawn = Annotator(lineWidth: 2).draw([detection], on: grey)
        XCTAssertEqual(drawn.width, grey.width)
        XCTAssertEqual(drawn.height, grey.height)
        let colour = rgb(Annotator.palette[3])
        XCTAssertEqual(pixel(drawn, 40, 100), colour, "left edge")
        XCTAssertEqual(pixel(drawn, 159, 100), colour, "right edge")
        XCTAssertEqual(pixel(drawn, 100, 129), colour, "bottom edge")
        XCTAssertEqual(pixel(drawn, 130, 60), colour, "top edge, right of the label")
        XCTAssertEqual(pixel(drawn, 100, 100), [128, 128, 128], "inside")
        XCTAssertEqual(pixel(drawn, 10, 10), [128, 128, 128], "outside")
    }

    func testLabelSitsAboveTheBoxWithTextInTheContrastingColour() {
        // Class 0 is a dark red: white text. Class 2 is yellow: black text.
        for (classId, textColour) in [(0, [UInt8](arrayLiteral: 255, 255, 255)), (2, [0, 0, 0])] {
            let detection = Detection(label: "dog", classId: classId, score: 0.5, box: Box(x1: 30, y1: 80, x2: 170, y2: 140))
            let drawn = Annotator(lineWidth: 2, fontScale: 0.5).draw([detection], on: grey)
            let above = 50..<79
            let fill = count(rgb(Annotator.palette[classId]), in: drawn, rows: above, columns: 30..<100)
            let text = count(textColour, in: drawn, rows: above, columns: 30..<100, tolerance: 60)
            XCTAssertGreaterThan(fill, 200, "label background, class \(classId)")
            XCTAssertGreaterThan(text, 10, "label text, class \(classId)")
            XCTAssertEqual(count(rgb(Annotator.palette[classId]), in: drawn, rows: 0..<45), 0, "label too high")
        }
    }

    func testLabelGoesInsideABoxTouchingTheTopEdge() {
        let detection = Detection(label: "bird", classId: 0, score: 0.9, box: Box(x1: 20, y1: 0, x2: 180, y2: 100))
        let drawn = Annotator(lineWidth: 2, fontScale: 0.5).draw([detection], on: grey)
        XCTAssertGreaterThan(count([255, 255, 255], in: drawn, rows: 0..<25, columns: 20..<100, tolerance: 60), 10, "text")
        XCTAssertGreaterThan(count(rgb(Annotator.palette[0]), in: drawn, rows: 2..<20, columns: 22..<60), 200,
                             "label background inside the box")
    }

    func testLabelNearTheRightEdgeIsShiftedIntoTheImage() {
        let detection = Detection(label: "a long label", classId: 5, score: 0.75, box: Box(x1: 190, y1: 60, x2: 200, y2: 80))
        let drawn = Annotator(lineWidth: 1, fontScale: 0.5).draw([detection], on: grey)
        // The label is wider than 10 px; shifted left it must cover pixels well left of the box.
        XCTAssertEqual(pixel(drawn, 150, 55), rgb(Annotator.palette[5]))
    }

    func testBoxesAtOrBeyondTheBorderDoNotCrash() {
        let boxes = [
            Box(x1: 0, y1: 0, x2: 200, y2: 150), Box(x1: -50, y1: -20, x2: 30, y2: 40),
            Box(x1: 190, y1: 140, x2: 400, y2: 400), Box(x1: 500, y1: 500, x2: 600, y2: 600),
            Box(x1: 80, y1: 80, x2: 80, y2: 80), Box(x1: 120, y1: 30, x2: 100, y2: 10),
            Box(x1: .nan, y1: 0, x2: 10, y2: 10), Box(x1: -.infinity, y1: 0, x2: .infinity, y2: 1e30),
        ]
        let detections = boxes.enumerated().map {
            Detection(label: "thing ü", classId: $0.offset * 7 - 20, score: 1, box: $0.element, trackId: $0.offset)
        }
        for annotator in [Annotator(), Annotator(lineWidth: 40, fontScale: 3)] {
            let drawn = annotator.draw(detections, on: grey)
            XCTAssertEqual(drawn.width, 200)
            XCTAssertEqual(drawn.pixels.count, grey.pixels.count)
            XCTAssertNotEqual(drawn, grey)
        }
        let tiny = RGBImage(width: 1, height: 1, fill: (0, 0, 0))
        XCTAssertEqual(Annotator().draw(detections, on: tiny).pixels.count, 3)
    }

    func testFirstDetectionIsDrawnOnTop() {
        let box = Box(x1: 50, y1: 50, x2: 150, y2: 120)
        let first = Detection(label: "a", classId: 1, score: 0.9, box: box)
        let second = Detection(label: "b", classId: 4, score: 0.8, box: box)
        let drawn = Annotator(lineWidth: 3).draw([first, second], on: grey)
        XCTAssertEqual(pixel(drawn, 50, 100), rgb(Annotator.palette[1]))
    }

    func testLabelTextShowsScoreAndTrackId() {
        let box = Box(x1: 0, y1: 0, x2: 1, y2: 1)
        XCTAssertEqual(Annotator.labelText(for: Detection(label: "red backpack", classId: 0, score: 0.8749, box: box)),
                       "red backpack 0.87")
        XCTAssertEqual(Annotator.labelText(for: Detection(label: "cat", classId: 0, score: 1, box: box, trackId: 12)),
                       "cat 1.00 #12")
    }

    func testPaletteHasTwentyDistinctColoursAndWrapsAround() {
        XCTAssertEqual(Set(Annotator.palette.map { rgb($0) }).count, 20)
        XCTAssertEqual(rgb(Annotator.color(forClass: 20)), rgb(Annotator.palette[0]))
        XCTAssertEqual(rgb(Annotator.color(forClass: -1)), rgb(Annotator.palette[19]))
    }

    func testTextIsBlackOnLightColoursAndWhiteOnDarkOnes() {
        XCTAssertEqual(rgb(Annotator.textColor(on: (255, 225, 25))), [0, 0, 0])
        XCTAssertEqual(rgb(Annotator.textColor(on: (0, 0, 128))), [255, 255, 255])
        XCTAssertEqual(rgb(Annotator.textColor(on: (255, 255, 255))), [0, 0, 0])
        XCTAssertEqual(rgb(Annotator.textColor(on: (0, 0, 0))), [255, 255, 255])
    }
}
