import CLIP
import TestSupport
import XCTest

@testable import Imaging

/// The transposes match PIL's `Image.Transpose` for each EXIF orientation, on a 3x2 image
/// whose pixels are numbered so every misplacement shows.
final class ExifOrientationTests: XCTestCase {
    /// Pixel values (first byte) laid out as rows, e.g. [[0, 1, 2], [3, 4, 5]].
    private func grid(_ image: RGBImage) -> [[UInt8]] {
        (0..<image.height).map { y in (0..<image.width).map { x in image.pixels[3 * (y * image.width + x)] } }
    }

    func testEachOrientationMakesTheImageUpright() {
        var pixels: [UInt8] = []
        for v in UInt8(0)..<6 { pixels += [v, v, v] }
        let image = RGBImage(width: 3, height: 2, pixels: pixels)  // [[0,1,2],[3,4,5]]
        let expected: [ExifOrientation: [[UInt8]]] = [
            .up: [[0, 1, 2], [3, 4, 5]],
            .mirrored: [[2, 1, 0], [5, 4, 3]],
            .upsideDown: [[5, 4, 3], [2, 1, 0]],
            .flipped: [[3, 4, 5], [0, 1, 2]],
            .transposed: [[0, 3], [1, 4], [2, 5]],
            .rotatedLeft: [[3, 0], [4, 1], [5, 2]],       // turned 90° clockwise
            .transversed: [[5, 2], [4, 1], [3, 0]],
            .rotatedRight: [[2, 5], [1, 4], [0, 3]],      // turned 90° counter-clockwise
        ]
        for orientation in ExifOrientation.allCases {
            XCTAssertEqual(grid(orientation.apply(to: image)), expected[orientation], "\(orientation)")
        }
    }

    func testMalformedOrMissingEXIFMeansUpright() {
        XCTAssertEqual(ExifOrientation(exif: []), .up)
        XCTAssertEqual(ExifOrientation(exif: Array("MM\u{0}*garbage".utf8)), .up)
        // Big-endian TIFF, one SHORT entry: Orientation = 6.
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(ExifOrientation(exif: tiff), .rotatedLeft)
        var unknown = tiff
        unknown[19] = 9
        XCTAssertEqual(ExifOrientation(exif: unknown), .up)
    }
}
