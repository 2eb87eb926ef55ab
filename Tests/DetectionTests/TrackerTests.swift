@testable import Detection
import TestSupport
import XCTest

final class TrackerTests: XCTestCase {
    func det(_ box: Box, score: Float = 0.8, classId: Int = 0) -> Detection {
        Detection(label: "c\(classId)", classId: classId, score: score, box: box)
    }

    func box(x: Float, y: Float = 40, side: Float = 40) -> Box { Box(x1: x, y1: y, x2: x + side, y2: y + side) }

    func testIdStaysStableWhileAnObjectMovesAndAppearsAfterMinHits() throws {
        let tracker = try Tracker()
        var ids: [Int?] = []
        for i in 0..<30 {
            // 40 px square moving 4 px per frame: IoU with the previous box 36/44 ≈ 0.82.
            let out = tracker.update([det(box(x: Float(4 * i)))])
            XCTAssertLessThanOrEqual(out.count, 1)
            ids.append(out.first?.trackId)
            if let d = out.first { XCTAssertEqual(d.box, box(x: Float(4 * i)), "the frame's own box is reported") }
        }
        XCTAssertNil(ids[0], "a new track is reported from its second matched frame (minHits 2)")
        XCTAssertEqual(Set(ids.dropFirst()), [1])
    }

    func testTwoObjectsKeepTheirOwnIdsWhileMovingSideBySide() throws {
        let tracker = try Tracker()
        var seen: [Int: [Float]] = [:]
        for i in 0..<10 {
            let out = tracker.update([det(box(x: 10 + Float(3 * i), y: 0)), det(box(x: 10 + Float(3 * i), y: 60), score: 0.6)])
            for d in out { seen[d.trackId!, default: []].append(d.box.y1) }
        }
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(Set(seen[1]!), [0], "track 1 follows the upper object only")
        XCTAssertEqual(Set(seen[2]!), [60], "track 2 follows the lower object only")
    }

    func testOneFrameFlickersAreNeverReportedAndUseNoId() throws {
        let tracker = try Tracker()
        let steady = box(x: 10)
        var reportedIds = Set<Int>()
        for i in 0..<12 {
            var dets = [det(steady)]
            // A different spurious box on every other frame, never twice in a row.
            if i % 2 == 1 { dets.append(det(box(x: 100, y: Float(i * 5), side: 20), score: 0.9)) }
            for d in tracker.update(dets) {
                reportedIds.insert(d.trackId!)
                XCTAssertEqual(d.box, steady, "flicker reported at frame \(i)")
            }
        }
        XCTAssertEqual(reportedIds, [1], "ids stay dense: flickers never took one")
    }

    func testConfirmedTrackKeepsItsIdAcrossAShortGapAndIsDroppedAfterMaxMisses() throws {
        var options = Tracker.Options()
        options.maxMisses = 2
        let tracker = try Tracker(options: options)
        _ = tracker.update([det(box(x: 10))])
        XCTAssertEqual(tracker.update([det(box(x: 12))]).map(\.trackId), [1])
        XCTAssertEqual(tracker.update([]), [], "not reported while missed")
        XCTAssertEqual(tracker.update([]), [])
        XCTAssertEqual(tracker.update([det(box(x: 14))]).map(\.trackId), [1], "back within maxMisses: same id, reported at once")
        for _ in 0..<3 { _ = tracker.update([]) }
        XCTAssertEqual(tracker.liveTrackCount, 0, "dropped after 3 > maxMisses misses")
        _ = tracker.update([det(box(x: 14))])
        XCTAssertEqual(tracker.update([det(box(x: 14))]).map(\.trackId), [2], "a new track gets a new id")
    }

    func testDetectionsOfAnotherClassNeverContinueATrack() throws {
        let tracker = try Tracker()
        _ = tracker.update([det(box(x: 10), classId: 0)])
        _ = tracker.update([det(box(x: 10), classId: 0)])
        XCTAssertEqual(tracker.update([det(box(x: 10), classId: 1)]), [], "same box, other class: a new tentative track")
        XCTAssertEqual(tracker.update([det(box(x: 10), classId: 1)]).map(\.trackId), [2])
    }

    func testBelowMatchIoUStartsANewTrack() throws {
        let tracker = try Tracker()
        _ = tracker.update([det(box(x: 0))])
        _ = tracker.update([det(box(x: 0))])
        // IoU of two 40 px squares 25 px apart: 15·40 / (2·1600 − 600) ≈ 0.23 < 0.3.
        XCTAssertEqual(tracker.update([det(box(x: 25))]), [])
        XCTAssertEqual(tracker.update([det(box(x: 25))]).map(\.trackId), [2])
    }

    func testScoresAreAnExponentialMovingAverageOverTheTrack() throws {
        let tracker = try Tracker()  // α = 0.5
        _ = tracker.update([det(box(x: 0), score: 0.8)])
        XCTAssertEqual(tracker.update([det(box(x: 0), score: 0.4)]).first!.score, 0.6, accuracy: 1e-6)
        XCTAssertEqual(tracker.update([det(box(x: 0), score: 1.0)]).first!.score, 0.8, accuracy: 1e-6)
        XCTAssertEqual(tracker.update([det(box(x: 0), score: 0.2)]).first!.score, 0.5, accuracy: 1e-6)
    }

    func testMinHitsOneReportsAtOnceAndOptionsAreValidated() throws {
        var options = Tracker.Options()
        options.minHits = 1
        XCTAssertEqual(try Tracker(options: options).update([det(box(x: 0))]).map(\.trackId), [1])
        options.matchIoU = 0
        XCTAssertThrowsError(try Tracker(options: options))
        options = Tracker.Options()
        options.scoreSmoothing = 1.5
        XCTAssertThrowsError(try Tracker(options: options))
    }

    func testGreedyMatchingPrefersTheBestOverlap() throws {
        let tracker = try Tracker()
        _ = tracker.update([det(box(x: 0)), det(box(x: 30))])
        let out = tracker.update([det(box(x: 0)), det(box(x: 30))])
        XCTAssertEqual(out.count, 2)
        // Both new boxes overlap both tracks somewhat; each must stay with its exact match.
        let next = tracker.update([det(box(x: 28)), det(box(x: 2))])
        let byX = Dictionary(uniqueKeysWithValues: next.map { ($0.box.x1, $0.trackId!) })
        let first = Dictionary(uniqueKeysWithValues: out.map { ($0.box.x1, $0.trackId!) })
        XCTAssertEqual(byX[2], first[0])
        XCTAssertEqual(byX[28], first[30])
    }
}
