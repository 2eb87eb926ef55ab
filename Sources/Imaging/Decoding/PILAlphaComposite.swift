/// PIL's `Image.alpha_composite(white, image)` for one colour sample, as a lookup table.
///
/// transformers' `convert_to_rgb` puts images with alpha over an opaque white background;
/// Pillow's integer arithmetic (src/libImaging/AlphaComposite.c, 7 extra precision bits and
/// a shift-based division by 255) is reproduced exactly so the pixels match bit for bit.
enum PILAlphaComposite {
    /// `table[alpha << 8 | colour]` is the composited 8-bit colour.
    static let overWhite: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256 * 256)
        let precisionBits: UInt32 = 7
        let dstAlpha: UInt32 = 255
        let dstColour: UInt32 = 255
        for alpha in UInt32(1)...255 {
            let blend = dstAlpha * (255 - alpha)
            let outAlpha255 = alpha * 255 + blend
            let coef1 = alpha * 255 * 255 * (1 << precisionBits) / outAlpha255
            let coef2 = 255 * (1 << precisionBits) - coef1
            for colour in UInt32(0)...255 {
                let tmp = colour * coef1 + dstColour * coef2 + (0x80 << precisionBits)
                let divided = ((tmp >> 8) + tmp) >> 8
                table[Int(alpha << 8 | colour)] = UInt8(truncatingIfNeeded: divided >> precisionBits)
            }
        }
        // alpha == 0 keeps the white background (the row stays 255).
        return table
    }()
}
