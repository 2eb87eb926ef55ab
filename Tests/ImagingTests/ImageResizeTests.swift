import CLIP
import TestSupport
import XCTest

import Imaging

/// `RGBImage.resized` averages areas when shrinking and interpolates when enlarging.
final class ImageResizeTests: XCTestCase {
    func testHalvingAveragesEachTwoByTwoBlock() throws {
        // 4×2 image: left block values 0/40/80/120 (mean 60), right block all 200.
        let values: [UInt8] = [0, 40, 200, 200,
                               80, 120, 200, 200]
        let image = RGBImage(width: 4, height: 2, pixels: values.flatMap { [$0, $0 / 2, 255 - $0] })
        let half = try image.resized(width: 2, height: 1)
        XCTAssertEqual(half.pixels, [60, 30, 195, 200, 100, 55])
    }

    func testEnlargingKeepsASolidColourAndTheNewSize() throws {
        let image = RGBImage(width: 3, height: 2, fill: (10, 200, 77))
        let big = try image.resized(width: 7, height: 5)
        XCTAssertEqual(big, RGBImage(width: 7, height: 5, fill: (10, 200, 77)))
    }

    func testEnlargingInterpolatesBetweenNeighbours() throws {
        // Two columns 0 and 200 doubled to four: bilinear (half-pixel centres) gives 0, 50, 150, 200.
        let image = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 200, 200, 200])
        let wide = try image.resized(width: 4, height: 1)
        XCTAssertEqual(stride(from: 0, to: 12, by: 3).map { wide.pixels[$0] }, [0, 50, 150, 200])
    }

    func testSameSizeReturnsTheImageUnchanged() throws {
        let image = ImageWriterTests.sample()
        XCTAssertEqual(try image.resized(width: image.width, height: image.height), image)
    }

    func testAnEmptyTargetSizeThrowsInsteadOfStopping() {
        let image = RGBImage(width: 3, height: 2, fill: (1, 2, 3))
        for (w, h) in [(0, 5), (5, 0), (-1, 3)] {
            XCTAssertThrowsError(try image.resized(width: w, height: h)) { error in
                let error = error as? ImagingError
                XCTAssertEqual(error?.kind, .invalidArgument)
                XCTAssertEqual(error?.description, "<memory>: cannot resize a 3x2 image to \(w)x\(h): the size must be positive")
            }
        }
    }
}
