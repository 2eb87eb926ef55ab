import CLIP

/// A decoded raster as the decoder delivered it, before conversion to RGB8.
struct RawRaster {
    var samples: UnsafeRawBufferPointer
    var width: Int
    var height: Int
    /// 1 (grey), 2 (grey, alpha), 3 (colour) or 4 (colour, alpha — or CMYK).
    var channels: Int
    /// 1 or 2 (native byte order).
    var bytesPerSample: Int
    var layout: Layout
    /// Grey level PIL treats as transparent (8-bit grey PNG tRNS); nil when none.
    var transparentGrey: Int?

    enum Layout {
        case rgb, bgr
        /// As stored in a JPEG; PIL reads every CMYK JPEG as inverted ("CMYK;I").
        case cmykInverted
    }
}

/// Conversion to 8-bit RGB exactly as PIL + transformers' `convert_to_rgb` produce it:
/// images with alpha (or a transparent colour) are composited over white, grey is
/// replicated, CMYK goes through Pillow's `cmyk2rgb`. 16-bit samples follow what Pillow
/// opens: grey becomes mode I;16 and its conversion clips to 255, every other layout is
/// read as 8-bit by keeping the high byte.
enum PILColorConversion {
    static func rgb(from raw: RawRaster) -> RGBImage {
        let count = raw.width * raw.height
        var out = [UInt8](repeating: 0, count: count * 3)
        if raw.bytesPerSample == 2 {
            let narrowed = narrowed16(raw)
            narrowed.withUnsafeBytes { bytes in
                var eight = raw
                eight.samples = bytes
                eight.bytesPerSample = 1
                out.withUnsafeMutableBufferPointer { convert8(eight, into: $0) }
            }
        } else {
            out.withUnsafeMutableBufferPointer { convert8(raw, into: $0) }
        }
        return RGBImage(width: raw.width, height: raw.height, pixels: out)
    }

    /// 16-bit → 8-bit the way Pillow opens the file (see the type's note).
    private static func narrowed16(_ raw: RawRaster) -> [UInt8] {
        let count = raw.width * raw.height * raw.channels
        var out = [UInt8](repeating: 0, count: count)
        let source = raw.samples.bindMemory(to: UInt16.self)
        out.withUnsafeMutableBufferPointer { dst in
            if raw.channels == 1 {
                for i in 0..<count { dst[i] = UInt8(min(source[i], 255)) }
            } else {
                for i in 0..<count { dst[i] = UInt8(source[i] >> 8) }
            }
        }
        return out
    }

    private static func convert8(_ raw: RawRaster, into out: UnsafeMutableBufferPointer<UInt8>) {
        let src = raw.samples.bindMemory(to: UInt8.self)
        let count = raw.width * raw.height
        let swap = raw.layout == .bgr
        PILAlphaComposite.overWhite.withUnsafeBufferPointer { composite in
            switch (raw.channels, raw.layout) {
            case (4, .cmykInverted):
                for i in 0..<count {
                    let k = 255 - Int(src[4 * i + 3])
                    let nk = 255 - k
                    for c in 0..<3 {
                        let value = 255 - Int(src[4 * i + c])
                        let tmp = value * nk + 128
                        let product = ((tmp >> 8) + tmp) >> 8
                        out[3 * i + c] = UInt8(clamping: nk - product)
                    }
                }
            case (1, _):
                let transparent = raw.transparentGrey ?? -1
                for i in 0..<count {
                    let v = src[i]
                    let g = Int(v) == transparent ? 255 : v
                    out[3 * i] = g
                    out[3 * i + 1] = g
                    out[3 * i + 2] = g
                }
            case (2, _):
                for i in 0..<count {
                    let g = composite[Int(src[2 * i + 1]) << 8 | Int(src[2 * i])]
                    out[3 * i] = g
                    out[3 * i + 1] = g
                    out[3 * i + 2] = g
                }
            case (3, _):
                for i in 0..<count {
                    let r = src[3 * i + (swap ? 2 : 0)], b = src[3 * i + (swap ? 0 : 2)]
                    out[3 * i] = r
                    out[3 * i + 1] = src[3 * i + 1]
                    out[3 * i + 2] = b
                }
            default:
                for i in 0..<count {
                    let alpha = Int(src[4 * i + 3]) << 8
                    let r = src[4 * i + (swap ? 2 : 0)], b = src[4 * i + (swap ? 0 : 2)]
                    out[3 * i] = composite[alpha | Int(r)]
                    out[3 * i + 1] = composite[alpha | Int(src[4 * i + 1])]
                    out[3 * i + 2] = composite[alpha | Int(b)]
                }
            }
        }
    }
}
