import CLIP
import Detection

/// Seeded synthetic images for the proposal and annotator tests: one object on a plain or
/// textured background, with the object's exact bounding box.
enum SyntheticScene {
    enum Shape { case rectangle, circle }

    /// A `width`×`height` image: grey (128) background, either flat or with ±24 seeded noise on
    /// an 8-pixel checkerboard of ±10; the object is solid red-orange.
    static func make(width: Int, height: Int, shape: Shape, textured: Bool,
                     object: (x: Int, y: Int, w: Int, h: Int)) -> (image: RGBImage, box: Box) {
        var pixels = [UInt8](repeating: 128, count: width * height * 3)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        if textured {
            for y in 0..<height {
                for x in 0..<width {
                    let checker = ((x / 8 + y / 8) % 2 == 0) ? 10 : -10
                    for c in 0..<3 {
                        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                        let noise = Int((state >> 33) % 49) - 24
                        pixels[3 * (y * width + x) + c] = UInt8(128 + checker + noise)
                    }
                }
            }
        }
        var minX = width, minY = height, maxX = -1, maxY = -1
        for y in object.y..<(object.y + object.h) {
            for x in object.x..<(object.x + object.w) {
                if shape == .circle {
                    let dx = (Double(x - object.x) + 0.5) / Double(object.w) * 2 - 1
                    let dy = (Double(y - object.y) + 0.5) / Double(object.h) * 2 - 1
                    if dx * dx + dy * dy > 1 { continue }
                }
                let i = 3 * (y * width + x)
                pixels[i] = 220
                pixels[i + 1] = 60
                pixels[i + 2] = 20
                minX = min(minX, x); minY = min(minY, y); maxX = max(maxX, x); maxY = max(maxY, y)
            }
        }
        let box = Box(x1: Float(minX), y1: Float(minY), x2: Float(maxX + 1), y2: Float(maxY + 1))
        return (RGBImage(width: width, height: height, pixels: pixels), box)
    }
}
