import CLIP
@testable import Detection
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
        XCTAssertEqual(first, second)
        XCTAssertEqual(encoder.calls.count, 1, "nothing encoded the second time")
        XCTAssertEqual(reuse.encodesMade, 3)
        XCTAssertEqual(reuse.encodesSaved, 3)
    }

    func testOnlyCropsWhosePixelsChangedAreEncodedAgain() throws {
        let reuse = try EmbeddingReuse()
        let encoder = FakeEncoder()
        // The square sits in boxes[1] (20…70 × 30…90 with context) and the whole image.
        _ = reuse.embeddings(for: boxes, in: SyntheticVideo.frame(0, moving: false), contextMargin: 0.15, encode: encoder.encode)
        let moved = SyntheticVideo.frame(6)  // square shifted 12 px right
        let out = reuse.embeddings(for: boxes, in: moved, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(encoder.calls.last, [boxes[0], boxes[1]], "the square's crops change, boxes[2] does not")
        XCTAssertEqual(out[2], [1, 2], "boxes[2] keeps its first embedding")
        XCTAssertEqual(reuse.encodesSaved, 1)
    }

    func testSmallNoiseIsBelowTheThresholdAndLargeChangeIsAbove() throws {
        let frame = SyntheticVideo.frame(0, moving: false)
        var noisy = frame
        var seed: UInt64 = 42
        for i in 0..<noisy.pixels.count {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let delta = Int((seed >> 33) % 7) - 3  // uniform −3…3: sensor-like noise
            noisy.pixels[i] = UInt8(clamping: Int(noisy.pixels[i]) + delta)
        }
        var brighter = frame
        for i in 0..<brighter.pixels.count { brighter.pixels[i] = UInt8(clamping: Int(brighter.pixels[i]) + 3) }
        for (image, reused) in [(noisy, true), (brighter, false)] {
            let reuse = try EmbeddingReuse()
            let encoder = FakeEncoder()
            _ = reuse.embeddings(for: boxes, in: frame, contextMargin: 0.15, encode: encoder.encode)
            _ = reuse.embeddings(for: boxes, in: image, contextMargin: 0.15, encode: encoder.encode)
            XCTAssertEqual(encoder.calls.count, reused ? 1 : 2, reused ? "noise averages out in 16×16 cells" : "a +3 shift of every sample is above the threshold")
        }
    }

    func testJitteredBoxMatchesByIoUButAnExactBoxWins() throws {
        let reuse = try EmbeddingReuse()
        let encoder = FakeEncoder()
        let frame = SyntheticVideo.frame(0, moving: false)
        let big = Box(x1: 0, y1: 0, x2: 100, y2: 100)
        _ = reuse.embeddings(for: [big], in: frame, contextMargin: 0.15, encode: encoder.encode)
        let jittered = Box(x1: 1, y1: 0, x2: 101, y2: 100)  // IoU 0.98
        let far = Box(x1: 10, y1: 0, x2: 110, y2: 100)     // IoU 0.82
        let out = reuse.embeddings(for: [jittered, far], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(out[0], [1, 0], "IoU ≥ 0.95 reuses")
        XCTAssertEqual(encoder.calls.last, [far])
        XCTAssertEqual(reuse.embeddings(for: [far], in: frame, contextMargin: 0.15, encode: encoder.encode)[0], [2, 0],
                       "its own exact entry, not the overlapping one")
    }

    func testEntriesUnusedForMaxAgeCallsAreEvicted() throws {
        var options = EmbeddingReuse.Options()
        options.maxAge = 2
        let reuse = try EmbeddingReuse(options: options)
        let encoder = FakeEncoder()
        let frame = SyntheticVideo.frame(0)
        _ = reuse.embeddings(for: boxes, in: frame, contextMargin: 0.15, encode: encoder.encode)
        _ = reuse.embeddings(for: [boxes[0]], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(reuse.count, 1, "boxes[1] and boxes[2] unused for 2 calls: gone")
        _ = reuse.embeddings(for: [boxes[1]], in: frame, contextMargin: 0.15, encode: encoder.encode)
        XCTAssertEqual(encoder.calls.last, [boxes[1]])
    }

    func testSignatureIsTheMeanColourOfEachCellAndIgnoresTheOutside() {
        let image = SyntheticVideo.frame(0, moving: false)
        let integral = ColorIntegral(image)
        // Region exactly over the 40×40 square: every 2.5 px cell is pure square colour.
        let inside = integral.signature(of: Box(x1: 10, y1: 40, x2: 50, y2: 80))
        XCTAssertEqual(inside.count, 768)
        for cell in 0..<256 {
            XCTAssertEqual(inside[3 * cell], 230)
            XCTAssertEqual(inside[3 * cell + 1], 20)
            XCTAssertEqual(inside[3 * cell + 2], 20)
        }
        // A cell straddling the square's left edge at x = 10 (region x 0…16, cell 1 px wide
        // cells 0…15): the cell 10…11 on row 40 is red, the one before it green.
        let edge = integral.signature(of: Box(x1: 0, y1: 40, x2: 16, y2: 56))
        XCTAssertEqual(Array(edge[27..<30]), [40, 120, 40])
        XCTAssertEqual(Array(edge[30..<33]), [230, 20, 20])
        // A region half outside the image: the outside cells read 0.
        let half = integral.signature(of: Box(x1: -160, y1: 0, x2: 160, y2: 120))
        XCTAssertEqual(Array(half[0..<3]), [0, 0, 0])
        XCTAssertEqual(Array(half[45..<48]), [40, 120, 40])
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
