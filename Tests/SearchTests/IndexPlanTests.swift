import TestSupport
import XCTest
@testable import Search

final class IndexPlanTests: XCTestCase {
    private func file(_ p: String, _ size: Int64 = 10, _ t: Int64 = 5) -> ScannedFile {
        ScannedFile(path: p, size: size, modifiedNanoseconds: t)
    }

    func testFilesAreSortedIntoAddedModifiedUnchangedAndRemoved() {
        let plan = IndexPlan(
            scanned: [file("/r/new.jpg"), file("/r/same.jpg"), file("/r/bigger.jpg", 11), file("/r/touched.jpg", 10, 6)],
            stored: [.init(path: "/r/same.jpg", size: 10, modifiedNanoseconds: 5),
                     .init(path: "/r/bigger.jpg", size: 10, modifiedNanoseconds: 5),
                     .init(path: "/r/touched.jpg", size: 10, modifiedNanoseconds: 5),
                     .init(path: "/r/gone.jpg", size: 10, modifiedNanoseconds: 5),
                     .init(path: "/rx/elsewhere.jpg", size: 10, modifiedNanoseconds: 5)],
            root: "/r")
        XCTAssertEqual(plan.added.map(\.path), ["/r/new.jpg"])
        XCTAssertEqual(plan.modified.map(\.path), ["/r/bigger.jpg", "/r/touched.jpg"])
        XCTAssertEqual(plan.unchanged, 1)
        XCTAssertEqual(plan.removed, ["/r/gone.jpg"], "a sibling folder sharing the prefix is not under the root")
        XCTAssertEqual(plan.toEncode.map(\.path), ["/r/bigger.jpg", "/r/new.jpg", "/r/touched.jpg"])
    }

    func testUnchangedFailuresAreKnownNotRetried() {
        let plan = IndexPlan(scanned: [file("/r/bad.jpg")],
                             stored: [.init(path: "/r/bad.jpg", size: 10, modifiedNanoseconds: 5, error: "truncated")], root: "/r")
        XCTAssertTrue(plan.toEncode.isEmpty)
        XCTAssertEqual(plan.knownFailures.map(\.path), ["/r/bad.jpg"])
        XCTAssertEqual(plan.knownFailures.map(\.reason), ["truncated"])
    }

    func testOtherModelsRowsOfGoneFilesAreRemovedToo() {
        let plan = IndexPlan(scanned: [], stored: [], root: "/r", allStoredPaths: ["/r/a.jpg", "/r/a.jpg", "/q/b.jpg"])
        XCTAssertEqual(plan.removed, ["/r/a.jpg"])
    }

    func testProgressLineShowsRateAndETA() {
        let p = IndexProgress(done: 120, total: 1000, elapsedSeconds: 6)
        XCTAssertEqual(p.line(barWidth: 10), "[#.........]  120/1000  20.0 images/s  ETA 0:44")
        XCTAssertEqual(IndexProgress(done: 0, total: 5, elapsedSeconds: 0).line(barWidth: 4), "[....] 0/5  -- images/s  ETA --:--")
        XCTAssertEqual(IndexProgress.clock(3725), "1:02:05")
    }
}
