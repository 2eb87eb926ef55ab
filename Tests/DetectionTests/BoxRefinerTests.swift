import CLIP
import Detection
import Imaging
import XCTest

final class BoxRefinerTests: XCTestCase {
    /// A 320×240 grey image with a filled rectangle at columns 100..<200, rows 60..<140 and a
    /// little deterministic noise so the segmentation sees texture, not a flat plane.
    func scene() -> RGBImage {
        var image = RGBImage(width: 320, height: 240, fill: (120, 124, 118))
        var state: UInt32 = 12345
        for i in 0..<(image.width * image.height) {
            state = state &* 1_664_525 &+ 1_013_904_223
            let n = UInt8(truncatingIfNeeded: state >> 28)  // 0...15
            let x = i % image.width, y = i / image.width
            let inside = (100..<200).contains(x) && (60..<140).contains(y)
            image.pixels[3 * i] = (inside ? 200 : 110) &+ n
            image.pixels[3 * i + 1] = (inside ? 40 : 115) &+ n
            image.pixels[3 * i + 2] = (inside ? 50 : 110) &+ n
        }
        return image
    }

    func testAnOffsetBoxSnapsToTheDrawnRectangle() throws {
        let image = scene()
        let drawn = Box(x1: 100, y1: 60, x2: 200, y2: 140)
        let off = Box(x1: 88, y1: 66, x2: 206, y2: 152)           // shifted and a little loose
        XCTAssertLessThan(off.iou(drawn), 0.8)
        // At full resolution (the window is smaller than `longSide`) the sides land on the
        // rectangle's edges; the top edge only as far as the GrabCut rectangle (the box grown
        // by 5%, y ≥ 61.7) reaches: pixels outside it are background by construction.
        let exact = try BoxRefiner(longSide: 256).refine(off, in: image)
        XCTAssertGreaterThan(exact.iou(drawn), 0.95, "refined at full resolution \(exact)")
        XCTAssertEqual(exact.x1, drawn.x1, accuracy: 1)
        XCTAssertEqual(exact.x2, drawn.x2, accuracy: 1)
        XCTAssertEqual(exact.y2, drawn.y2, accuracy: 1)
        XCTAssertEqual(exact.y1, 62, accuracy: 1)
        // The default 96-px copy of the window is ~1.7 image pixels per pixel here: close, not exact.
        let refined = try BoxRefiner().refine(off, in: image)
        XCTAssertGreaterThan(refined.iou(drawn), 0.9, "refined \(refined)")
        // Detections keep their order, class and score; only the box moves.
        let d = Detection(label: "red box", classId: 3, score: 0.7, box: off)
        let e = Detection(label: "other", classId: 1, score: 0.4, box: Box(x1: 10, y1: 10, x2: 13, y2: 13))
        let out = try BoxRefiner().apply([d, e, d], in: image)
        XCTAssertEqual(out.map(\.score), [0.7, 0.4, 0.7])
        XCTAssertEqual(out.map(\.classId), [3, 1, 3])
        XCTAssertEqual(out[0].box, refined)
        XCTAssertEqual(out[2].box, refined, "the same box in the same image refines the same way (seeded RNG)")
        XCTAssertEqual(out[1].box, e.box, "a window under 8 px is left alone")
    }

    func testABoxMatchingNoLocalRegionStaysWhereItIs() throws {
        // A box over plain background: whatever GrabCut keeps is at most the grown rectangle,
        // which overlaps the box by 1/1.1² ≈ 0.83 < 0.9.
        let flat = RGBImage(width: 200, height: 200, fill: (90, 90, 90))
        let box = Box(x1: 50, y1: 50, x2: 90, y2: 80)
        XCTAssertEqual(try BoxRefiner(minIoU: 0.9).refine(box, in: flat), box)
        // A box far smaller than the object under it: the object's extent overlaps it too little.
        let image = scene()
        let inner = Box(x1: 140, y1: 90, x2: 160, y2: 110)
        XCTAssertEqual(try BoxRefiner().refine(inner, in: image), inner)
        // A window too small to search leaves the box unchanged too.
        let tiny = Box(x1: 10, y1: 10, x2: 13, y2: 13)
        XCTAssertEqual(try BoxRefiner().refine(tiny, in: flat), tiny)
    }

    func testGrabCutFindsTheRectangleAndIsDeterministic() throws {
        let image = scene()
        let rect = PixelRect(left: 90, top: 50, right: 209, bottom: 149)
        let mask = try GrabCut.foreground(of: image, in: rect)
        XCTAssertEqual(mask.largestComponent(), PixelRect(left: 100, top: 60, right: 199, bottom: 139))
        XCTAssertEqual(try GrabCut.foreground(of: image, in: rect), mask)
        for bad in [PixelRect(left: -1, top: 50, right: 100, bottom: 100), PixelRect(left: 10, top: 10, right: 10, bottom: 40),
                    PixelRect(left: 300, top: 200, right: 320, bottom: 239)] {
            XCTAssertThrowsError(try GrabCut.foreground(of: image, in: bad)) { error in
                XCTAssertTrue("\(error)".contains("320x240"), "\(error)")
            }
        }
    }

    func testLargestComponentIsEightConnected() {
        // Two blobs: a diagonal chain of 4 pixels (8-connected, not 4-connected) and a 3-pixel bar.
        let rows = ["1.....",
                    ".1..11",
                    "..1..1",
                    "...1..",
                    "......"]
        let bits = rows.flatMap { $0.map { $0 == "1" ? UInt8(1) : 0 } }
        let mask = ForegroundMask(width: 6, height: 5, bits: bits)
        XCTAssertEqual(mask.count, 7)
        XCTAssertEqual(mask.largestComponent(), PixelRect(left: 0, top: 0, right: 3, bottom: 3))
        XCTAssertNil(ForegroundMask(width: 3, height: 2, bits: [0, 0, 0, 0, 0, 0]).largestComponent())
    }

    func testOutOfRangeSettingsAreRejected() {
        XCTAssertThrowsError(try BoxRefiner(grow: -0.1).validate())
        XCTAssertThrowsError(try BoxRefiner(longSide: 4).validate())
        XCTAssertThrowsError(try BoxRefiner(minIoU: 0).validate())
        XCTAssertThrowsError(try BoxRefiner(rectGrow: 0.3).validate(), "the rectangle must stay inside the window")
        XCTAssertThrowsError(try BoxRefiner(iterations: 0).validate())
        XCTAssertNoThrow(try BoxRefiner().validate())
        var o = DetectorOptions()
        o.refinement = BoxRefiner(minIoU: 1.5)
        XCTAssertThrowsError(try o.validate())
        o.refinement = nil
        XCTAssertNoThrow(try o.validate())
    }
}
