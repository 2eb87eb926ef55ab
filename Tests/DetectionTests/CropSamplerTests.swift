import CLIP
@testable import Detection
import TestSupport
import XCTest

final class CropSamplerTests: XCTestCase {
    /// A square region equal to a square image must give what CLIP's own preprocessing gives
    /// (up to Pillow's uint8 rounding between its two passes: ≤ 1 level ≈ 0.015 after normalising).
    func testWholeSquareImageMatchesCLIPPreprocessing() throws {
        var img = RGBImage(width: 150, height: 150, fill: (0, 0, 0))
        for i in 0..<(150 * 150) {
            img.pixels[3 * i] = UInt8((i * 7) % 256); img.pixels[3 * i + 1] = UInt8((i / 150) % 256); img.pixels[3 * i + 2] = UInt8((i * 13 / 7) % 256)
        }
        let config = ImageProcessorConfig.clipDefaults(imageSize: 64)
        let reference = ImageProcessor(config: config).preprocess(img)
        let sampler = CropSampler(size: 64, mean: config.imageMean, std: config.imageStd)
        var out = [Float](repeating: 0, count: 3 * 64 * 64)
        out.withUnsafeMutableBufferPointer { sampler.sample(img, regions: [Box(x1: 0, y1: 0, x2: 150, y2: 150)], into: $0.baseAddress!) }
        var maxErr: Float = 0
        for i in 0..<out.count { maxErr = max(maxErr, abs(out[i] - reference[i])) }
        XCTAssertLessThan(maxErr, 0.02)
    }

    func testAreaOutsideTheImageIsPaddedWithTheMeanColour() {
        let img = RGBImage(width: 40, height: 40, fill: (255, 255, 255))
        let config = ImageProcessorConfig.clipDefaults(imageSize: 32)
        let sampler = CropSampler(size: 32, mean: config.imageMean, std: config.imageStd)
        var out = [Float](repeating: 9, count: 3 * 32 * 32)
        // Region twice the image, image in its top-left quarter.
        out.withUnsafeMutableBufferPointer { sampler.sample(img, regions: [Box(x1: 0, y1: 0, x2: 80, y2: 80)], into: $0.baseAddress!) }
        // Bottom-right corner pixel: pure padding (the mean colour rounded to a byte) → ≈ 0.
        for c in 0..<3 { XCTAssertEqual(out[c * 1024 + 31 * 32 + 31], 0, accuracy: 0.01) }
        // Top-left pixel: white.
        XCTAssertEqual(out[0], (1 - Float(config.imageMean[0])) / Float(config.imageStd[0]), accuracy: 1e-3)
    }

    func testSquareRegionKeepsContextAroundTheBox() {
        let r = CropSampler.squareRegion(for: Box(x1: 10, y1: 20, x2: 30, y2: 60), contextMargin: 0.5)
        XCTAssertEqual(r.x2 - r.x1, 60, accuracy: 1e-4)
        XCTAssertEqual(r.y2 - r.y1, 60, accuracy: 1e-4)
        XCTAssertEqual((r.x1 + r.x2) / 2, 20, accuracy: 1e-4)
        XCTAssertEqual((r.y1 + r.y2) / 2, 40, accuracy: 1e-4)
    }
}
