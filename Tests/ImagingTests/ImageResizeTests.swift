import CLIP
import TestSupport
import XCTest

import Imaging

/// `RGBImage.resized` averages areas when shrinking and interpolates when enlarging.
final class ImageResizeTests: XCTestCase {
    func testHalvingAveragesEachTwoByTwoBlock() {
        // 4×2 image: left block values 0/40/80/120 (mean 60), right block all 200.
        let values: [UInt8] = [0, 40, 200, 200,
                               80, 120, 200, 200]
        let image = RGBImage(width: 4, height: 2, pixels: values.flatMap { [$0, $0 / 2, 255 - $0] })
        let half = image.resized(width: 2, height: 1)
        XCTAssertEqual(half.pixels, [60, 30, 195, 200, 100, 55])
    }

    func testEnlargingKeepsASolidColourAndTheNewSize() {
        let image = RGBImage(width: 3, height: 2, fill: (10, 200, 77))
        let big = image.resized(width: 7, height: 5)
        XCTAssertEqual(big, RGBImage(width: 7, height: 5, fill: (10, 200, 77)))
    }

    func testEnlargingInterpolatesBetweenNeighbours() {
        // Two columns 0 and 200 doubled to four: bilinear (half-pixel centres) gives 0, 50, 150, 200.
        let image = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 200, 200, 200])
        let wide = image.resized(width: 4, height: 1)
        XCTAssertEqual(stride(from: 0, to: 12, by: 3).map { wide.pixels[$0] }, [0, 50, 150, 200])
    }

    func testSameSizeReturnsTheImageUnchanged() {
        let image = ImageWriterTests.sample()
        XCTAssertEqual(image.resized(width: image.width, height: image.height), image)
    }
}
