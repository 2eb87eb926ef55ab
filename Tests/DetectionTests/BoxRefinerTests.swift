import CLIP
import Detection
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
        // At full resolution (the window is smaller than `longSide`) three sides land on the
        // rectangle's edges; the region that overlaps the low box best keeps a strip below it.
        let exact = try BoxRefiner(longSide: 256).refine(off, in: image)
        XCTAssertGreaterThan(exact.iou(drawn), 0.88, "refined at full resolution \(exact)")
        XCTAssertEqual(exact.x1, drawn.x1, accuracy: 1.5)
        XCTAssertEqual(exact.x2, drawn.x2, accuracy: 1.5)
        XCTAssertEqual(exact.y1, drawn.y1, accuracy: 1.5)
        // The default 64-px copy of the window is ~2.8 image pixels per pixel here: close, not exact.
        let refined = try BoxRefiner().refine(off, in: image)
        XCTAssertGreaterThan(refined.iou(drawn), 0.8, "refined \(refined)")
        XCTAssertGreaterThan(refined.iou(drawn), off.iou(drawn) + 0.1)
        // Detections keep their order, class and score; only the box moves.
        let d = Detection(label: "red box", classId: 3, score: 0.7, box: off)
        let out = try BoxRefiner().apply([d, d], in: image)
        XCTAssertEqual(out.map(\.score), [0.7, 0.7])
        XCTAssertEqual(out.map(\.classId), [3, 3])
        XCTAssertEqual(out[0].box, refined)
    }

    func testABoxMatchingNoLocalRegionStaysWhereItIs() throws {
        // A box over plain background: nothing around it overlaps it by the least IoU.
        let flat = RGBImage(width: 200, height: 200, fill: (90, 90, 90))
        let box = Box(x1: 50, y1: 50, x2: 90, y2: 80)
        XCTAssertEqual(try BoxRefiner(minIoU: 0.9).refine(box, in: flat), box)
        // A window too small to search leaves the box unchanged too.
        let tiny = Box(x1: 10, y1: 10, x2: 13, y2: 13)
        XCTAssertEqual(try BoxRefiner().refine(tiny, in: flat), tiny)
    }

    func testOutOfRangeSettingsAreRejected() {
        XCTAssertThrowsError(try BoxRefiner(grow: -0.1).validate())
        XCTAssertThrowsError(try BoxRefiner(longSide: 4).validate())
        XCTAssertThrowsError(try BoxRefiner(minIoU: 0).validate())
        var o = DetectorOptions()
        o.refinement = BoxRefiner(minIoU: 1.5)
        XCTAssertThrowsError(try o.validate())
        o.refinement = nil
        XCTAssertNoThrow(try o.validate())
    }
}
