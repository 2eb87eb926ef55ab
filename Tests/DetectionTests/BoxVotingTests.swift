import Detection
import XCTest

final class BoxVotingTests: XCTestCase {
    func det(_ classId: Int, _ score: Float, _ x1: Float, _ y1: Float, _ x2: Float, _ y2: Float) -> Detection {
        Detection(label: "c\(classId)", classId: classId, score: score, box: Box(x1: x1, y1: y1, x2: x2, y2: y2))
    }

    func testKeptBoxMovesToTheScoreWeightedMeanOfOverlappingSameClassCandidates() {
        let kept = det(0, 0.9, 10, 10, 50, 50)
        let tighter = det(0, 0.3, 14, 14, 46, 46)        // IoU 0.64: votes with weight 0.3
        let otherClass = det(1, 0.9, 0, 0, 40, 40)       // other class: no vote
        let far = det(0, 0.9, 100, 100, 140, 140)        // no overlap: no vote
        let out = BoxVoting(iou: 0.5).apply([kept], candidates: [kept, tighter, otherClass, far])
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(out[0].box.x1, (0.9 * 10 + 0.3 * 14) / 1.2, accuracy: 1e-4)
        XCTAssertEqual(out[0].box.x2, (0.9 * 50 + 0.3 * 46) / 1.2, accuracy: 1e-4)
        XCTAssertEqual(out[0].score, 0.9)
        XCTAssertEqual(out[0].classId, 0)
        // A stricter IoU leaves the box where it was.
        XCTAssertEqual(BoxVoting(iou: 0.7).apply([kept], candidates: [kept, tighter]), [kept])
    }

    func testDetectorOptionsRejectAnOutOfRangeVotingIoU() {
        var o = DetectorOptions()
        o.boxVotingIoU = 0
        XCTAssertThrowsError(try o.validate())
        o.boxVotingIoU = nil
        XCTAssertNoThrow(try o.validate())
    }
}
