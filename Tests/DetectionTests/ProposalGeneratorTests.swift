import CLIP
import TestSupport
import XCTest

@testable import Detection

/// `ProposalGenerator`: boxes inside the image, deterministic, capped, de-duplicated, and an
/// obvious object recovered.
final class ProposalGeneratorTests: XCTestCase {
    private static let textured = SyntheticScene.make(
        width: 400, height: 300, shape: .rectangle, textured: true, object: (150, 90, 120, 100))

    private func proposals(_ image: RGBImage, configure: (inout ProposalOptions) -> Void = { _ in }) throws -> [Box] {
        var options = ProposalOptions()
        configure(&options)
        return try ProposalGenerator(options: options).proposals(for: image)
    }

    func testBoxesLieInsideTheImageAndNoSideIsBelowMinSide() throws {
        for (width, height) in [(400, 300), (173, 260), (64, 48)] {
            let image = SyntheticScene.make(width: width, height: height, shape: .circle, textured: true,
                                            object: (width / 4, height / 4, width / 2, height / 2)).image
            let boxes = try proposals(image) { $0.minSide = 12 }
            XCTAssertFalse(boxes.isEmpty)
            for box in boxes {
                XCTAssertTrue(box.x1 >= 0 && box.y1 >= 0 && box.x2 <= Float(width) && box.y2 <= Float(height), "\(box)")
                XCTAssertGreaterThanOrEqual(box.width, 12, "\(box) in \(width)x\(height)")
                XCTAssertGreaterThanOrEqual(box.height, 12, "\(box) in \(width)x\(height)")
            }
        }
    }

    func testWholeImageComesFirstEvenWhenSmallerThanMinSide() throws {
        let tiny = RGBImage(width: 10, height: 8, fill: (5, 6, 7))
        XCTAssertEqual(try proposals(tiny), [Box(x1: 0, y1: 0, x2: 10, y2: 8)])
        XCTAssertEqual(try proposals(Self.textured.image).first, Box(x1: 0, y1: 0, x2: 400, y2: 300))
    }

    func testSameImageGivesTheSameBoxesInTheSameOrder() throws {
        let first = try proposals(Self.textured.image) { $0.maxProposals = 10_000 }
        let second = try proposals(Self.textured.image) { $0.maxProposals = 10_000 }
        XCTAssertGreaterThan(first.count, 50)
        XCTAssertEqual(first, second)
    }

    func testCapIsRespected() throws {
        for cap in [1, 10, 50] {
            let boxes = try proposals(Self.textured.image) { $0.maxProposals = cap }
            // The scene has hundreds of candidates, so the cap is reached, not merely respected.
            XCTAssertEqual(boxes.count, cap, "cap \(cap)")
        }
        let uncapped = try proposals(Self.textured.image) { $0.maxProposals = 10_000 }
        XCTAssertEqual(try proposals(Self.textured.image) { $0.maxProposals = 50 }, Array(uncapped.prefix(50)),
                       "a smaller cap keeps a prefix of the full order")
    }

    func testNoTwoBoxesOverlapAsMuchAsTheDuplicateThreshold() throws {
        for threshold in [0.9, 0.5] {
            let boxes = try proposals(Self.textured.image) {
                $0.maxProposals = 10_000
                $0.duplicateIoU = threshold
            }
            for i in boxes.indices {
                for j in boxes.indices where j > i {
                    XCTAssertLessThan(Double(boxes[i].iou(boxes[j])), threshold, "\(boxes[i]) vs \(boxes[j])")
                }
            }
        }
    }

    func testDuplicatesAreRemovedFromTheRawCandidates() throws {
        // 160-px windows in a 200-px image, overlapping by 95%: 6 × 6 positions 8 px apart,
        // neighbours with IoU ≈ 0.9. Most must go at threshold 0.9, none at threshold 1.
        let image = RGBImage(width: 200, height: 200, fill: (90, 90, 90))
        let configure: (inout ProposalOptions) -> Void = {
            $0.method = .windows
            $0.windowScales = [0.8]
            $0.windowAspects = [1]
            $0.windowOverlap = 0.95
            $0.maxProposals = 10_000
        }
        let all = try proposals(image) { configure(&$0); $0.duplicateIoU = 1 }
        let deduplicated = try proposals(image) { configure(&$0); $0.duplicateIoU = 0.9 }
        XCTAssertEqual(all.count, 1 + 6 * 6)
        XCTAssertLessThan(deduplicated.count, all.count / 2)
    }

    func testASingleObjectIsRecoveredWithIoUAtLeast0_7() throws {
        for shape in [SyntheticScene.Shape.rectangle, .circle] {
            for textured in [false, true] {
                let scene = SyntheticScene.make(width: 400, height: 300, shape: shape, textured: textured,
                                                object: (230, 60, 110, 140))
                for method in [ProposalOptions.Method.selective, .both] {
                    let boxes = try proposals(scene.image) { $0.method = method }
                    let best = boxes.map { $0.iou(scene.box) }.max() ?? 0
                    XCTAssertGreaterThanOrEqual(best, 0.7, "\(shape), textured \(textured), \(method)")
                }
            }
        }
    }

    func testWindowsModeReturnsTheWholeImageThenWindowsOnly() throws {
        let image = Self.textured.image
        let boxes = try proposals(image) { $0.method = .windows; $0.maxProposals = 10_000 }
        let options = ProposalOptions()
        let windows = Set(SlidingWindows.boxes(width: 400, height: 300, scales: options.windowScales,
                                               aspects: options.windowAspects, overlap: options.windowOverlap))
        XCTAssertEqual(boxes.first, Box(x1: 0, y1: 0, x2: 400, y2: 300))
        XCTAssertGreaterThan(boxes.count, 20)
        for box in boxes.dropFirst() { XCTAssertTrue(windows.contains(box), "\(box) is not a window") }
    }

    func testSelectiveModeReturnsTheWholeImageThenSelectiveSearchBoxesOnly() throws {
        // 180×150 is below the selective-search size, so boxes come back unscaled.
        let scene = SyntheticScene.make(width: 180, height: 150, shape: .circle, textured: true, object: (40, 30, 70, 90))
        let boxes = try proposals(scene.image) { $0.method = .selective; $0.maxProposals = 10_000; $0.minSide = 0 }
        let raw = Set(try SelectiveSearch.boxes(in: scene.image))
        XCTAssertEqual(boxes.first, Box(x1: 0, y1: 0, x2: 180, y2: 150))
        XCTAssertGreaterThan(boxes.count, 10)
        for box in boxes.dropFirst() { XCTAssertTrue(raw.contains(box), "\(box) is not a selective-search box") }
    }

    func testSelectiveSearchBoxesAreScaledBackFromTheDownscaledCopy() throws {
        // The same scene at 2× must give (about) 2× the boxes of the 1× scene: selective search
        // runs on a 200-px copy in both cases.
        let small = SyntheticScene.make(width: 200, height: 150, shape: .rectangle, textured: false, object: (60, 40, 70, 50))
        let large = SyntheticScene.make(width: 400, height: 300, shape: .rectangle, textured: false, object: (120, 80, 140, 100))
        let configure: (inout ProposalOptions) -> Void = { $0.method = .selective; $0.minSide = 0 }
        let bestSmall = try proposals(small.image, configure: configure).max { $0.iou(small.box) < $1.iou(small.box) }!
        let bestLarge = try proposals(large.image, configure: configure).max { $0.iou(large.box) < $1.iou(large.box) }!
        XCTAssertEqual(bestSmall, small.box)
        XCTAssertEqual(bestLarge, large.box)
    }

    func testOptionsOutOfRangeAreRejected() {
        let image = RGBImage(width: 32, height: 32, fill: (0, 0, 0))
        let cases: [(String, (inout ProposalOptions) -> Void)] = [
            ("cap", { $0.maxProposals = 0 }),
            ("selective search size", { $0.selectiveLongSide = 8 }),
            ("window scales", { $0.windowScales = [] }),
            ("window aspects", { $0.windowAspects = [0] }),
            ("window overlap", { $0.windowOverlap = 1 }),
            ("duplicate IoU", { $0.duplicateIoU = 0 }),
        ]
        for (fragment, configure) in cases {
            XCTAssertThrowsError(try proposals(image, configure: configure)) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
            }
        }
    }
}

/// The sliding-window grid and its spread-out order.
final class SlidingWindowsTests: XCTestCase {
    func testWindowsOfEveryScaleAndAspectTouchAllFourEdges() {
        let scales = [0.75, 0.3]
        let aspects = [1.0, 2.0, 0.5]
        let boxes = SlidingWindows.boxes(width: 640, height: 480, scales: scales, aspects: aspects, overlap: 0.5)
        for scale in scales {
            for aspect in aspects {
                let w = Float(min((scale * 480 * aspect.squareRoot()).rounded(), 640))
                let h = Float(min((scale * 480 / aspect.squareRoot()).rounded(), 480))
                let group = boxes.filter { $0.x2 - $0.x1 == w && $0.y2 - $0.y1 == h }
                XCTAssertFalse(group.isEmpty, "scale \(scale) aspect \(aspect)")
                XCTAssertEqual(group.map(\.x1).min(), 0)
                XCTAssertEqual(group.map(\.y1).min(), 0)
                XCTAssertEqual(group.map(\.x2).max(), 640)
                XCTAssertEqual(group.map(\.y2).max(), 480)
            }
        }
    }

    func testNeighbouringWindowsStepByAtMostTheOverlapAllows() {
        let xs = SlidingWindows.positions(length: 640, window: 200, overlap: 0.5)
        XCTAssertEqual(xs.first, 0)
        XCTAssertEqual(xs.last, 440)
        for (a, b) in zip(xs, xs.dropFirst()) { XCTAssertLessThanOrEqual(b - a, 100.5) }
        XCTAssertEqual(SlidingWindows.positions(length: 100, window: 100, overlap: 0.5), [0])
    }

    func testBitReversedOrderIsAPermutationThatSpreadsTheStart() {
        let items = Array(0..<13)
        let order = SlidingWindows.bitReversedOrder(items)
        XCTAssertEqual(order.sorted(), items)
        XCTAssertEqual(Array(order.prefix(4)), [0, 8, 4, 12])
    }
}
