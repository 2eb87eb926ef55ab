import Foundation
import TestSupport
import XCTest
@testable import Detection

/// Golden cases from torchvision (Fixtures/nms/make_nms_fixtures.py): every kept index, in
/// order, must be identical — no tolerance, since NMS output is discrete.
final class NonMaxSuppressionTests: XCTestCase {
    struct FixtureFile: Decodable {
        struct Meta: Decodable {
            let torch: String
            let torchvision: String
            let cases_where_batched_paths_differ: [String]
        }
        let meta: Meta
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let iou_threshold: Double
        let boxes: [Double]
        let scores: [Double]
        let class_ids: [Int]
        let nms_keep: [Int]
        let batched_keep: [Int]
        let coordinate_trick_keep: [Int]
        let per_class_keep: [Int]
        let batched_path: String

        /// The script writes each float32 so that Double → Float rounding gives it back exactly.
        var boxValues: [Box] {
            stride(from: 0, to: boxes.count, by: 4).map {
                Box(x1: Float(boxes[$0]), y1: Float(boxes[$0 + 1]),
                    x2: Float(boxes[$0 + 2]), y2: Float(boxes[$0 + 3]))
            }
        }
        var scoreValues: [Float] { scores.map { Float($0) } }
    }

    static let fixture: FixtureFile? = {
        guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            return nil
        }
        let url = folder.appendingPathComponent("nms/nms_cases.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(FixtureFile.self, from: data)
    }()

    func loadCases() throws -> [Case] {
        let fixture = try XCTUnwrap(Self.fixture, "Fixtures/nms/nms_cases.json missing or unreadable")
        return fixture.cases
    }

    // MARK: - Golden fixtures

    func testFixtureSetCoversSizesThresholdsAndBothBatchedPaths() throws {
        let cases = try loadCases()
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        let sizes = Set(cases.map { $0.scores.count })
        for size in [0, 1, 2, 50, 500, 5000] {
            XCTAssertTrue(sizes.contains(size), "no fixture with \(size) boxes")
        }
        let thresholds = Set(cases.map(\.iou_threshold))
        for threshold in [0.0, 0.3, 0.5, 0.7, 1.0] {
            XCTAssertTrue(thresholds.contains(threshold), "no fixture at threshold \(threshold)")
        }
        XCTAssertTrue(cases.contains { $0.batched_path == "per_class" })
        XCTAssertTrue(cases.contains { $0.batched_path == "coordinate_trick" })
        XCTAssertTrue(cases.contains { Set($0.class_ids).count >= 100 })
        XCTAssertFalse(try XCTUnwrap(Self.fixture).meta.cases_where_batched_paths_differ.isEmpty,
                       "fixtures should include cases where the two batched paths disagree")
    }

    func testNMSKeepsExactlyTorchvisionsIndicesInTorchvisionsOrder() throws {
        for testCase in try loadCases() {
            let kept = NonMaxSuppression.nms(
                boxes: testCase.boxValues, scores: testCase.scoreValues,
                iouThreshold: testCase.iou_threshold)
            XCTAssertEqual(kept, testCase.nms_keep, "nms differs on fixture \(testCase.name)")
        }
    }

    func testBatchedNMSKeepsExactlyTorchvisionsIndicesInTorchvisionsOrder() throws {
        for testCase in try loadCases() {
            let kept = NonMaxSuppression.batchedNMS(
                boxes: testCase.boxValues, scores: testCase.scoreValues,
                classIds: testCase.class_ids, iouThreshold: testCase.iou_threshold)
            XCTAssertEqual(kept, testCase.batched_keep, "batched_nms differs on fixture \(testCase.name)")
        }
    }

    func testBatchedNMSChoosesThePathTorchvisionChoosesForEachSize() throws {
        for testCase in try loadCases() {
            let perClass = testCase.scores.count > NonMaxSuppression.perClassPathMinimumExclusive
            XCTAssertEqual(perClass ? "per_class" : "coordinate_trick", testCase.batched_path,
                           "path choice differs on fixture \(testCase.name)")
        }
    }

    func testBothBatchedPathsMatchTorchvisionOnEveryFixtureWhateverItsSize() throws {
        for testCase in try loadCases() where !testCase.scores.isEmpty {
            let boxes = testCase.boxValues, scores = testCase.scoreValues
            XCTAssertEqual(
                NonMaxSuppression.coordinateTrick(
                    boxes: boxes, scores: scores, classIds: testCase.class_ids,
                    iouThreshold: testCase.iou_threshold),
                testCase.coordinate_trick_keep, "coordinate trick differs on \(testCase.name)")
            XCTAssertEqual(
                NonMaxSuppression.perClass(
                    boxes: boxes, scores: scores, classIds: testCase.class_ids,
                    iouThreshold: testCase.iou_threshold),
                testCase.per_class_keep, "per-class path differs on \(testCase.name)")
        }
    }

    // MARK: - Behaviour

    func testEqualScoresKeepIndexOrderInNMS() {
        let boxes = (0..<20).map { Box(x1: Float($0) * 10, y1: 0, x2: Float($0) * 10 + 5, y2: 5) }
        let kept = NonMaxSuppression.nms(boxes: boxes, scores: Array(repeating: 0, count: 20),
                                         iouThreshold: 0.5)
        XCTAssertEqual(kept, Array(0..<20))
    }

    func testPerClassPathOrdersEqualScoresInTorchsUnstableSortOrder() {
        // Twenty disjoint boxes, all scored 0: torch.sort(descending=True) on CPU returns this
        // permutation (libstdc++ introsort), and _batched_nms_vanilla re-sorts its result with it.
        let boxes = (0..<20).map { Box(x1: Float($0) * 10, y1: 0, x2: Float($0) * 10 + 5, y2: 5) }
        let kept = NonMaxSuppression.perClass(boxes: boxes, scores: Array(repeating: 0, count: 20),
                                              classIds: Array(repeating: 0, count: 20),
                                              iouThreshold: 0.5)
        XCTAssertEqual(kept, [10, 19, 18, 17, 16, 15, 14, 13, 12, 11, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    }

    func testHigherScoredBoxSuppressesOverlappingLowerOne() {
        let boxes = [Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 1, y1: 1, x2: 11, y2: 11),
                     Box(x1: 50, y1: 50, x2: 60, y2: 60)]
        XCTAssertEqual(NonMaxSuppression.nms(boxes: boxes, scores: [0.8, 0.9, 0.7], iouThreshold: 0.5),
                       [1, 2])
    }

    func testBatchedNMSNeverSuppressesAcrossClasses() {
        let boxes = [Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 0, y1: 0, x2: 10, y2: 10)]
        XCTAssertEqual(NonMaxSuppression.batchedNMS(boxes: boxes, scores: [0.5, 0.9],
                                                    classIds: [3, 7], iouThreshold: 0.1), [1, 0])
        XCTAssertEqual(NonMaxSuppression.batchedNMS(boxes: boxes, scores: [0.5, 0.9],
                                                    classIds: [7, 7], iouThreshold: 0.1), [1])
    }

    func testOverlapEqualToThresholdDoesNotSuppress() {
        // inter 1, union 2: overlap exactly 0.5.
        let boxes = [Box(x1: 0, y1: 0, x2: 3, y2: 1), Box(x1: 1, y1: 0, x2: 4, y2: 1)]
        XCTAssertEqual(NonMaxSuppression.nms(boxes: boxes, scores: [0.9, 0.8], iouThreshold: 0.5), [0, 1])
    }

    func testDoubleThresholdComparesLikeTorchvisionAndFloatThresholdIsWidenedExactly() {
        // inter 3, union 10: the Float overlap rounds to Float(0.3), which exceeds Double 0.3.
        let boxes = [Box(x1: 0, y1: 0, x2: 6.5, y2: 1), Box(x1: 3.5, y1: 0, x2: 10, y2: 1)]
        XCTAssertEqual(NonMaxSuppression.nms(boxes: boxes, scores: [0.9, 0.8], iouThreshold: 0.3), [0])
        XCTAssertEqual(NonMaxSuppression.nms(boxes: boxes, scores: [0.9, 0.8],
                                             iouThreshold: Float(0.3)), [0, 1])
    }

    func testFloatThresholdEquivalentIsTheDoubleRoundedTowardsMinusInfinity() {
        for threshold in [0.3, 0.5, 0.7, 1.0, 0, -0.25, 1e-50, 1e300] {
            let t = Coordinates.floatThreshold(threshold)
            XCTAssertLessThanOrEqual(Double(t), threshold)
            XCTAssertGreaterThan(Double(t.nextUp), threshold, "threshold \(threshold)")
        }
        XCTAssertEqual(Coordinates.floatThreshold(.infinity), .infinity)
    }

    func testZeroAreaBoxesNeverSuppressEachOther() {
        let point = Box(x1: 3, y1: 3, x2: 3, y2: 3)
        let kept = NonMaxSuppression.nms(boxes: [point, point, point], scores: [0.3, 0.2, 0.1],
                                         iouThreshold: -1)
        XCTAssertEqual(kept, [0, 1, 2], "0/0 overlap is NaN, and NaN > threshold is false")
    }

    func testNaNScoreRanksAboveInfinityAndSuppressesLikeAnyKeptBox() {
        let box = Box(x1: 0, y1: 0, x2: 10, y2: 10)
        let far = Box(x1: 100, y1: 100, x2: 110, y2: 110)
        let kept = NonMaxSuppression.nms(boxes: [box, box, far], scores: [.infinity, .nan, 0.5],
                                         iouThreshold: 0.5)
        XCTAssertEqual(kept, [1, 2])
    }

    func testGridSearchKeepsExactlyWhatTheAllPairsLoopKeeps() {
        var generator = SplitMix64(seed: 7)
        for trial in 0..<60 {
            let count = [65, 200, 700][trial % 3]
            let extent: Float = [50, 400, 2000][trial % 3 == 0 ? 0 : (trial / 3) % 3]
            var x1: [Float] = [], y1: [Float] = [], x2: [Float] = [], y2: [Float] = []
            for k in 0..<count {
                let x = Float.random(in: -extent...extent, using: &generator)
                let y = Float.random(in: -extent...extent, using: &generator)
                let size: Float = k % 9 == 0 ? extent : 40
                // Some degenerate and inverted boxes among them.
                let w = k % 13 == 0 ? 0 : Float.random(in: -5...size, using: &generator)
                let h = Float.random(in: -5...size, using: &generator)
                x1.append(x); y1.append(y); x2.append(x + w); y2.append(y + h)
            }
            let area = (0..<count).map { (x2[$0] - x1[$0]) * (y2[$0] - y1[$0]) }
            let threshold = Float([0, 0.3, 0.5, 0.7, 1][trial % 5])
            x1.withUnsafeBufferPointer { x1 in y1.withUnsafeBufferPointer { y1 in
            x2.withUnsafeBufferPointer { x2 in y2.withUnsafeBufferPointer { y2 in
            area.withUnsafeBufferPointer { area in
                let columns = RankedColumns(
                    x1: x1.baseAddress!, y1: y1.baseAddress!, x2: x2.baseAddress!,
                    y2: y2.baseAddress!, area: area.baseAddress!, count: count)
                var suppressed = [UInt8](repeating: 0, count: count)
                var allPairs: [Int32] = []
                suppressed.withUnsafeMutableBufferPointer { flags in
                    for i in 0..<count where flags[i] == 0 {
                        allPairs.append(Int32(i))
                        columns.markOverlaps(of: i, above: threshold, in: flags.baseAddress!)
                    }
                }
                XCTAssertEqual(columns.keptRanksUsingGrid(above: threshold), allPairs,
                               "trial \(trial): \(count) boxes, extent \(extent), threshold \(threshold)")
            }}}}}
        }
    }

    func testEmptyInputGivesEmptyResult() {
        XCTAssertEqual(NonMaxSuppression.nms(boxes: [], scores: [], iouThreshold: 0.5), [])
        XCTAssertEqual(NonMaxSuppression.batchedNMS(boxes: [], scores: [], classIds: [],
                                                    iouThreshold: 0.5), [])
    }

    func testTorchSortPlacesNaNFirstAndOrdersAllOtherKeysDescending() {
        let keys: [Float] = [3, .nan, -1, .infinity, 3, 0, .nan, -.infinity]
        var entries = keys.enumerated().map { SortEntry(key: $0.element, index: Int32($0.offset)) }
        TorchSort.sortDescending(&entries)
        XCTAssertTrue(entries[0].key.isNaN && entries[1].key.isNaN)
        XCTAssertEqual(entries.dropFirst(2).map { $0.key }, [.infinity, 3, 3, 0, -1, -.infinity])
    }
}
