/// An 8-bit RGB image in memory: the input of CLIP's image preprocessing.
///
/// Pixels are interleaved `R, G, B` rows, top row first, with no row padding.
/// Precondition: `pixels.count == width * height * 3`, `width > 0`, `height > 0`.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "RGBImage needs a positive size")
        precondition(pixels.count == width * height * 3, "RGBImage pixel count must be width*height*3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A solid-colour image, handy for tests and padding.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8)) {
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            p[3 * i] = fill.0
            p[3 * i + 1] = fill.1
            p[3 * i + 2] = fill.2
        }
        self.init(width: width, height: height, pixels: p)
    }
}
