import CLIP
@testable import Detection
import TestSupport
import XCTest

/// The embedding reuse cache alone, with a fake encoder that records what it was asked for.
final class VideoReuseTests: XCTestCase {
    final class FakeEncoder {
        var calls: [[Box]] = []
        /// A distinct embedding per call and box, so tests can tell fresh from cached.
        func encode(_ boxes: [Box]) -> [[Float]] {
            calls.append(boxes)
            return boxes.enumerated().map { [Float(calls.count), Float($0.offset)] }
        }
    }

    let boxes = [Box(x1: 0, y1: 0, x2: 160, y2: 120), Box(x1: 20, y1: 30, x2: 70, y2: 90), Box(x1: 100, y1: 10, x2: 150, y2: 60)]

    func testUnchangedPixelsReuseEveryEmbeddingBitForBit() throws {
        let reuse = try EmbeddingReuse()
        let encoder = FakeEncoder()
        let frame = SyntheticVideo.frame(0)
        let first = reuse.embeddings(for: boxes, in: frame, contextMargin: 0.15, encode: encoder.encode)
        let second = reuse.embeddings(for: boxes, in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(first.embeddings, second.embeddings)
        XCTAssertEqual(first.boxes, boxes)
        XCTAssertEqual(second.boxes, boxes)
        XCTAssertEqual(encoder.calls.count, 1, "nothing encoded the second time")
        XCTAssertEqual(reuse.encodesMade, 3)
        XCTAssertEqual(reuse.encodesSaved, 3)
    }

    func testOnlyCropsWhosePixelsChangedAreEncodedAgain() throws {
        let reuse = try EmbeddingReuse()
        let encoder = FakeEncoder()
        // The square sits in boxes[1] (20…70 × 30…90 with context) and the whole image.
        _ = reuse.embeddings(for: boxes, in: SyntheticVideo.frame(0, moving: false), contextMargin: 0.15, encode: encoder.encode)
        let moved = SyntheticVideo.frame(15)  // square shifted 30 px right
        let out = reuse.embeddings(for: boxes, in: moved, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(encoder.calls.last, [boxes[0], boxes[1]], "the square's crops change, boxes[2] does not")
        XCTAssertEqual(out.embeddings[2], [1, 2], "boxes[2] keeps its first embedding")
        XCTAssertEqual(reuse.encodesSaved, 1)
    }

    func testNoiseAndExposureDriftAreReusedButAStrongShiftIsNot() throws {
        let frame = SyntheticVideo.frame(0, moving: false)
        var noisy = frame
        var seed: UInt64 = 42
        for i in 0..<noisy.pixels.count {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let delta = Int((seed >> 33) % 13) - 6  // uniform −6…6: codec-like noise
            noisy.pixels[i] = UInt8(clamping: Int(noisy.pixels[i]) + delta)
        }
        func shifted(_ by: Int) -> RGBImage {
            var copy = frame
            for i in 0..<copy.pixels.count { copy.pixels[i] = UInt8(clamping: Int(copy.pixels[i]) + by) }
            return copy
        }
        for (image, reused, why) in [(noisy, true, "noise averages out in 8×8+ px cells"),
                                     (shifted(3), true, "a +3 exposure drift is within offsetThreshold 4"),
                                     (shifted(6), false, "a +6 shift is beyond offsetThreshold 4")] {
            let reuse = try EmbeddingReuse()
            let encoder = FakeEncoder()
            _ = reuse.embeddings(for: boxes, in: frame, contextMargin: 0.15, encode: encoder.encode)
            _ = reuse.embeddings(for: boxes, in: image, contextMargin: 0.15, encode: encoder.encode)
            XCTAssertEqual(encoder.calls.count, reused ? 1 : 2, why)
        }
    }

    func testNearDuplicateProposalIsReplacedByTheCachedBoxButAnExactBoxWins() throws {
        let reuse = try EmbeddingReuse()
        let encoder = FakeEncoder()
        let frame = SyntheticVideo.frame(0, moving: false)
        let big = Box(x1: 0, y1: 0, x2: 100, y2: 100)
        _ = reuse.embeddings(for: [big], in: frame, contextMargin: 0.15, encode: encoder.encode)
        let jittered = Box(x1: 2, y1: 0, x2: 102, y2: 100)  // IoU 0.96
        let far = Box(x1: 10, y1: 0, x2: 110, y2: 100)      // IoU 0.82
        let out = reuse.embeddings(for: [jittered, far], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(out.boxes, [big, far], "IoU ≥ 0.9: the cached box stands in, with its own embedding")
        XCTAssertEqual(out.embeddings[0], [1, 0])
        XCTAssertEqual(encoder.calls.last, [far])
        let again = reuse.embeddings(for: [far], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(again.embeddings[0], [2, 0], "its own exact entry, not the overlapping one")
        let handle = reuse.beginFrame(frame, contextMargin: 0.15)
        XCTAssertTrue(handle.hasUnchangedEntry(near: jittered))
        XCTAssertFalse(handle.hasUnchangedEntry(near: Box(x1: 50, y1: 50, x2: 70, y2: 70)))
    }

    func testEntriesUnusedForMaxAgeCallsAreEvicted() throws {
        var options = EmbeddingReuse.Options()
        options.maxAge = 2
        let reuse = try EmbeddingReuse(options: options)
        let encoder = FakeEncoder()
        let frame = SyntheticVideo.frame(0)
        _ = reuse.embeddings(for: boxes, in: frame, contextMargin: 0.15, encode: encoder.encode)
        _ = reuse.embeddings(for: [boxes[0]], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(reuse.count, 3, "unused for one call: kept")
        _ = reuse.embeddings(for: [boxes[0]], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(reuse.count, 1, "boxes[1] and boxes[2] unused for 2 calls: gone")
        _ = reuse.embeddings(for: [boxes[1]], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(encoder.calls.last, [boxes[1]])
    }

    func testSignatureIsTheMeanColourOfCellsOfAtLeastEightPixels() {
        let image = SyntheticVideo.frame(0, moving: false)
        let integral = ColorIntegral(image)
        XCTAssertEqual(ColorIntegral.gridSide(for: Box(x1: 0, y1: 0, x2: 40, y2: 40)), 5)
        XCTAssertEqual(ColorIntegral.gridSide(for: Box(x1: 0, y1: 0, x2: 10, y2: 10)), 2)
        XCTAssertEqual(ColorIntegral.gridSide(for: Box(x1: 0, y1: 0, x2: 500, y2: 20)), 16)
        // Exactly over the 40×40 square: 5×5 cells of 8 px, all square colour.
        let inside = integral.signature(of: Box(x1: 10, y1: 40, x2: 50, y2: 80))
        XCTAssertEqual(inside.count, 75)
        for cell in 0..<25 { XCTAssertEqual(Array(inside[(3 * cell)..<(3 * cell + 3)]), [230, 20, 20]) }
        // Over the square's left edge at x = 10: 2×2 cells of 8 px; the left cells are field,
        // the right ones 2 px field and 6 px square.
        let edge = integral.signature(of: Box(x1: 0, y1: 40, x2: 16, y2: 56))
        XCTAssertEqual(Array(edge[0..<3]), [40, 120, 40])
        let mixed: [Float] = [182.5, 45, 25]  // (2·field + 6·square) / 8 per channel
        XCTAssertEqual(Array(edge[3..<6]), mixed)
        // Half outside the image: 16×16 cells of 20×7.5 px; the outside ones read 0.
        let half = integral.signature(of: Box(x1: -160, y1: 0, x2: 160, y2: 120))
        XCTAssertEqual(Array(half[0..<3]), [0, 0, 0])
        XCTAssertEqual(Array(half[24..<27]), [40, 120, 40])
    }

    func testOptionsAreValidated() {
        var options = EmbeddingReuse.Options()
        options.threshold = -1
        XCTAssertThrowsError(try EmbeddingReuse(options: options))
        options = EmbeddingReuse.Options()
        options.matchIoU = 1.5
        XCTAssertThrowsError(try EmbeddingReuse(options: options))
    }
}
