import Detection
import XCTest

final class ContainmentSuppressionTests: XCTestCase {
    func det(_ classId: Int, _ score: Float, _ x1: Float, _ y1: Float, _ x2: Float, _ y2: Float) -> Detection {
        Detection(label: "c\(classId)", classId: classId, score: score, box: Box(x1: x1, y1: y1, x2: x2, y2: y2))
    }

    func testLooseBoxAroundATightOneGoesWhateverItsClass() {
        let tight = det(0, 0.9, 10, 10, 50, 50)
        let looseSame = det(0, 0.8, 0, 0, 90, 90)      // IoU 0.2 with tight: NMS keeps it
        let looseOther = det(1, 0.85, 5, 5, 100, 80)
        XCTAssertEqual(ContainmentSuppression().apply([tight, looseOther, looseSame]), [tight])
    }

    func testALooseBoxScoringHigherThanTheInnerOneStays() {
        // The inner box is a weak guess (lower score): the big box is the better answer.
        let big = det(0, 0.95, 0, 0, 100, 100)
        let inner = det(1, 0.5, 10, 10, 40, 40)
        XCTAssertEqual(ContainmentSuppression().apply([big, inner]), [big, inner])
        // ... unless it is a fragment of the same class, which goes.
        let fragment = det(0, 0.5, 10, 10, 40, 40)
        XCTAssertEqual(ContainmentSuppression().apply([big, fragment]), [big])
    }

    func testCrossClassOverlapKeepsTheBetterLabel() {
        let a = det(0, 0.9, 0, 0, 40, 40), b = det(1, 0.7, 4, 0, 44, 40)    // IoU 0.82
        let far = det(1, 0.6, 200, 200, 240, 240)
        XCTAssertEqual(ContainmentSuppression().apply([a, b, far]), [a, far])
        var loose = ContainmentSuppression()
        loose.crossClassIoU = 0.9
        XCTAssertEqual(loose.apply([a, b, far]), [a, b, far])
    }

    /// Below 1, the cross-class score ratio keeps a second label the detector scores nearly as
    /// high on the same place, and still drops one it clearly ranks lower.
    func testCrossClassScoreRatioKeepsANearTieAndDropsAClearLoser() {
        let a = det(0, 0.50, 0, 0, 40, 40)
        let close = det(1, 0.46, 4, 0, 44, 40)     // IoU 0.82, 0.92 of a's score
        let clear = det(2, 0.40, 0, 4, 40, 44)     // IoU 0.82, 0.80 of a's score
        XCTAssertEqual(ContainmentSuppression().apply([a, close, clear]), [a], "ratio 1: one label per place")
        let ratio = ContainmentSuppression(crossClassScoreRatio: 0.9)
        XCTAssertEqual(ratio.apply([a, close, clear]), [a, close])
        XCTAssertEqual(ContainmentSuppression(crossClassScoreRatio: 0.95).apply([a, close, clear]), [a])
        // Exactly at the ratio the lower box goes (score ≤ ratio × kept score).
        XCTAssertEqual(ContainmentSuppression(crossClassScoreRatio: 0.5).apply([a, det(1, 0.25, 4, 0, 44, 40)]), [a])
    }

    func testSideBySideObjectsAndNearDuplicatesOfOneClassStay() {
        // Two touching objects: neither lies inside the other.
        let left = det(0, 0.9, 0, 0, 40, 40), right = det(0, 0.8, 40, 0, 80, 40)
        XCTAssertEqual(ContainmentSuppression().apply([left, right]), [left, right])
        // An object beside a smaller one of another class that scores higher: not inside, stays.
        let small = det(1, 0.95, 40, 10, 60, 30)
        XCTAssertEqual(ContainmentSuppression().apply([small, left]), [small, left])
    }

    func testValidateRejectsOutOfRangeValues() {
        var c = ContainmentSuppression()
        c.insideShare = 1.5
        XCTAssertThrowsError(try c.validate())
        for bad: Float in [0, -0.5, 1.01, .nan] {
            XCTAssertThrowsError(try ContainmentSuppression(crossClassScoreRatio: bad).validate(), "ratio \(bad)")
        }
        XCTAssertNoThrow(try ContainmentSuppression(crossClassScoreRatio: 1).validate())
        var o = DetectorOptions()
        o.temperature = 0
        XCTAssertThrowsError(try o.validate())
    }
}
