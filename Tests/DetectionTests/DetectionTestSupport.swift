import CLIP
import Foundation
import TestSupport
import XCTest

enum DetectionFixtures {
    static let root = TestFixtures.packageRoot
    /// A small random-weight CLIP from the CLIP parity fixtures (64×64 input).
    static func tinyModel() throws -> CLIPModel { try TestFixtures.clipModel("tiny-gelu-f16") }

    /// A grey image with filled rectangles of the given colours.
    static func scene(width: Int = 160, height: Int = 120, rects: [(x: Int, y: Int, w: Int, h: Int, rgb: (UInt8, UInt8, UInt8))]) -> RGBImage {
        var img = RGBImage(width: width, height: height, fill: (128, 128, 128))
        for r in rects {
            for y in r.y..<min(r.y + r.h, height) {
                for x in r.x..<min(r.x + r.w, width) {
                    let i = (y * width + x) * 3
                    img.pixels[i] = r.rgb.0; img.pixels[i + 1] = r.rgb.1; img.pixels[i + 2] = r.rgb.2
                }
            }
        }
        return img
    }
}
