import Foundation
import TestSupport
import XCTest
@testable import Detection

final class BoxTests: XCTestCase {
    struct IoUFixture: Decodable {
        let a: [Double]
        let b: [Double]
        let iou: [Double]
    }

    private func boxes(_ values: [Double]) -> [Box] {
        stride(from: 0, to: values.count, by: 4).map {
            Box(x1: Float(values[$0]), y1: Float(values[$0 + 1]),
                x2: Float(values[$0 + 2]), y2: Float(values[$0 + 3]))
        }
    }

    func testIoUIsBitIdenticalToTorchvisionBoxIoU() throws {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: folder.appendingPathComponent("nms/box_iou_cases.json"))
        let fixture = try JSONDecoder().decode(IoUFixture.self, from: data)
        let a = boxes(fixture.a), b = boxes(fixture.b)
        XCTAssertEqual(a.count, fixture.iou.count)
        XCTAssertEqual(b.count, fixture.iou.count)
        for i in 0..<min(a.count, b.count, fixture.iou.count) {
            XCTAssertEqual(a[i].iou(b[i]).bitPattern, Float(fixture.iou[i]).bitPattern,
                           "pair \(i): \(a[i]) vs \(b[i])")
        }
    }

    func testIoUIsSymmetricBitForBit() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<1000 {
            let a = randomBox(using: &generator), b = randomBox(using: &generator)
            XCTAssertEqual(a.iou(b).bitPattern, b.iou(a).bitPattern, "\(a) vs \(b)")
        }
    }

    func testIdenticalBoxesHaveIoUOne() {
        let box = Box(x1: 1.1, y1: 2.2, x2: 30.3, y2: 40.4)
        XCTAssertEqual(box.iou(box), 1)
    }

    func testDisjointAndEdgeTouchingBoxesHaveIoUZero() {
        let box = Box(x1: 0, y1: 0, x2: 10, y2: 10)
        XCTAssertEqual(box.iou(Box(x1: 20, y1: 20, x2: 30, y2: 30)), 0)
        XCTAssertEqual(box.iou(Box(x1: 10, y1: 0, x2: 20, y2: 10)), 0)
    }

    func testPartialOverlapIsIntersectionOverUnion() {
        let a = Box(x1: 0, y1: 0, x2: 10, y2: 10), b = Box(x1: 5, y1: 0, x2: 15, y2: 10)
        XCTAssertEqual(a.iou(b), 50 / 150)
        XCTAssertEqual(a.intersectionArea(b), 50)
    }

    func testEmptyBoxesHaveIoUZeroInsteadOfNaN() {
        let point = Box(x1: 3, y1: 3, x2: 3, y2: 3)
        XCTAssertEqual(point.iou(point), 0)
        XCTAssertEqual(point.iou(Box(x1: 0, y1: 0, x2: 6, y2: 6)), 0)
    }

    func testInvertedBoxIsEmptyButKeepsTorchvisionsSignedArea() {
        let inverted = Box(x1: 10, y1: 0, x2: 0, y2: 10)
        XCTAssertEqual(inverted.width, 0)
        XCTAssertEqual(inverted.height, 10)
        XCTAssertEqual(inverted.area, 0)
        XCTAssertEqual(inverted.signedArea, -100)
        XCTAssertEqual(Box(x1: 10, y1: 10, x2: 0, y2: 0).signedArea, 100)
        XCTAssertEqual(inverted.iou(Box(x1: 0, y1: 0, x2: 10, y2: 10)), 0)
    }

    func testIntersectionIsTheOverlapOrNilWhenThereIsNone() {
        let a = Box(x1: 0, y1: 0, x2: 10, y2: 10)
        XCTAssertEqual(a.intersection(Box(x1: 5, y1: -5, x2: 20, y2: 5)), Box(x1: 5, y1: 0, x2: 10, y2: 5))
        XCTAssertNil(a.intersection(Box(x1: 10, y1: 0, x2: 20, y2: 10)))
        XCTAssertNil(a.intersection(Box(x1: 30, y1: 30, x2: 40, y2: 40)))
    }

    func testClippingClampsXToWidthAndYToHeight() {
        let box = Box(x1: -5, y1: -2, x2: 120, y2: 90)
        XCTAssertEqual(box.clipped(width: 100, height: 80), Box(x1: 0, y1: 0, x2: 100, y2: 80))
        let inside = Box(x1: 1.5, y1: 2.5, x2: 3.5, y2: 4.5)
        XCTAssertEqual(inside.clipped(width: 100, height: 80), inside)
    }

    func testClippingABoxOutsideTheImageLeavesAnEmptyBoxOnTheBorder() {
        let clipped = Box(x1: 150, y1: 10, x2: 200, y2: 20).clipped(width: 100, height: 80)
        XCTAssertEqual(clipped, Box(x1: 100, y1: 10, x2: 100, y2: 20))
        XCTAssertEqual(clipped.area, 0)
    }

    func testCenterIsTheMidpointOfTheCorners() {
        let center = Box(x1: 2, y1: 4, x2: 10, y2: 20).center
        XCTAssertEqual(center.x, 6)
        XCTAssertEqual(center.y, 12)
    }

    func testCodableRoundTripKeepsCornerNames() throws {
        let box = Box(x1: 1.25, y1: 2, x2: 3, y2: 4.5)
        let data = try JSONEncoder().encode(box)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Double])
        XCTAssertEqual(object, ["x1": 1.25, "y1": 2, "x2": 3, "y2": 4.5])
        XCTAssertEqual(try JSONDecoder().decode(Box.self, from: data), box)
    }

    private func randomBox(using generator: inout SplitMix64) -> Box {
        let x = Float.random(in: 0..<100, using: &generator)
        let y = Float.random(in: 0..<100, using: &generator)
        return Box(x1: x, y1: y, x2: x + Float.random(in: 0..<50, using: &generator),
                   y2: y + Float.random(in: 0..<50, using: &generator))
    }
}

/// A seeded generator so the property tests see the same boxes on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
