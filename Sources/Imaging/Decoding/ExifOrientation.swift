import CLIP

/// The EXIF orientation tag (0x0112) and the transpose that PIL's `ImageOps.exif_transpose`
/// applies to make the image upright (transformers' `load_image` calls it).
enum ExifOrientation: Int, Sendable, CaseIterable {
    case up = 1
    case mirrored = 2            // PIL FLIP_LEFT_RIGHT
    case upsideDown = 3          // PIL ROTATE_180
    case flipped = 4             // PIL FLIP_TOP_BOTTOM
    case transposed = 5          // PIL TRANSPOSE
    case rotatedLeft = 6         // PIL ROTATE_270 (turned 90° clockwise to fix)
    case transversed = 7         // PIL TRANSVERSE
    case rotatedRight = 8        // PIL ROTATE_90 (turned 90° counter-clockwise to fix)

    /// The orientation stored in an EXIF TIFF block; `.up` when absent, unknown or malformed,
    /// as PIL ignores those.
    init(exif: [UInt8]) {
        let tag = exif.withUnsafeBytes { TIFFDirectory(ByteView(bytes: $0))?.integers[TIFFDirectory.orientation] }
        self = tag.flatMap(ExifOrientation.init(rawValue:)) ?? .up
    }

    /// Whether the upright image swaps width and height.
    var swapsAxes: Bool { rawValue >= 5 }

    /// The upright image. For each output pixel (x, y) the source pixel is
    /// (sx, sy) = (ax·x + bx·y + cx, ay·x + by·y + cy).
    func apply(to image: RGBImage) -> RGBImage {
        if self == .up { return image }
        let w = image.width, h = image.height
        let outWidth = swapsAxes ? h : w
        let outHeight = swapsAxes ? w : h
        let (ax, bx, cx, ay, by, cy): (Int, Int, Int, Int, Int, Int)
        switch self {
        case .up: (ax, bx, cx, ay, by, cy) = (1, 0, 0, 0, 1, 0)
        case .mirrored: (ax, bx, cx, ay, by, cy) = (-1, 0, w - 1, 0, 1, 0)
        case .upsideDown: (ax, bx, cx, ay, by, cy) = (-1, 0, w - 1, 0, -1, h - 1)
        case .flipped: (ax, bx, cx, ay, by, cy) = (1, 0, 0, 0, -1, h - 1)
        case .transposed: (ax, bx, cx, ay, by, cy) = (0, 1, 0, 1, 0, 0)
        case .rotatedLeft: (ax, bx, cx, ay, by, cy) = (0, 1, 0, -1, 0, h - 1)
        case .transversed: (ax, bx, cx, ay, by, cy) = (0, -1, w - 1, -1, 0, h - 1)
        case .rotatedRight: (ax, bx, cx, ay, by, cy) = (0, -1, w - 1, 1, 0, 0)
        }
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var o = 0
                for y in 0..<outHeight {
                    var sx = bx * y + cx
                    var sy = by * y + cy
                    for _ in 0..<outWidth {
                        let s = 3 * (sy * w + sx)
                        dst[o] = src[s]
                        dst[o + 1] = src[s + 1]
                        dst[o + 2] = src[s + 2]
                        o += 3
                        sx += ax
                        sy += ay
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }
}
