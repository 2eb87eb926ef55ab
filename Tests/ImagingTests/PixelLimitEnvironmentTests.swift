import Foundation
import Imaging
import TestSupport
import XCTest

final class PixelLimitEnvironmentTests: XCTestCase {
    /// OpenCV's pixel limit is handed over through the environment for its first decode only:
    /// afterwards it must be gone, or child processes would inherit a caller's (small) limit.
    func testOpenCVPixelLimitDoesNotLeakIntoTheEnvironment() throws {
        let setByUser = getenv("OPENCV_IO_MAX_IMAGE_PIXELS") != nil
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/decode")
        let png = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().first { $0.hasSuffix(".png") }!
        _ = try ImageLoader.load(path: dir.appendingPathComponent(png).path, maxPixels: 1_000_000)
        if !setByUser {
            XCTAssertNil(getenv("OPENCV_IO_MAX_IMAGE_PIXELS"), "left in the environment after the first decode")
        }
    }
}
