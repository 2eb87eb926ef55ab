import CLIP
import Dispatch
import Foundation

/// Cuts square, context-padded crops out of an image and turns them into CLIP `pixel_values`.
///
/// Each crop is resampled straight from the source image with Pillow's antialiased bicubic
/// filter (the filter `CLIPImageProcessor` resizes with), in floats, with no intermediate crop
/// copy; parts of the square outside the image read as `padColor`. For a square region this is
/// what CLIP's own pipeline does (resize the short side to S, centre-crop S×S), without the
/// uint8 rounding between passes.
public struct CropSampler: Sendable {
    /// Side of the model input (`vision_config.image_size`).
    public let size: Int
    public let mean: [Float]
    public let std: [Float]
    /// Fill for the part of a crop outside the image: CLIP's mean colour rounded to bytes (as in
    /// a padded crop image), which normalises to ≈ 0.
    public let padColor: [Float]

    public init(size: Int, mean: [Double], std: [Double]) {
        self.size = size
        self.mean = mean.map(Float.init)
        self.std = std.map(Float.init)
        padColor = mean.map { Float(($0 * 255).rounded()) }
    }

    /// The square region (in source pixels, may extend past the image) cropped for `box`.
    public static func squareRegion(for box: Box, contextMargin: Float) -> Box {
        let side = max(box.width, box.height, 1) * (1 + contextMargin)
        let cx = (box.x1 + box.x2) / 2, cy = (box.y1 + box.y2) / 2
        return Box(x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2)
    }

    /// Writes `regions.count` crops as `[n, 3, size, size]` normalised floats into `out`,
    /// splitting the work across cores. Precondition: `out.count ≥ regions.count · 3 · size²`.
    public func sample(_ image: RGBImage, regions: [Box], into out: UnsafeMutablePointer<Float>) {
        sample(PreparedImage(image), regions: regions, into: out)
    }

    /// Same, from an image already widened to floats (do that once per image, not per batch).
    public func sample(_ image: PreparedImage, regions: [Box], into out: UnsafeMutablePointer<Float>) {
        let per = 3 * size * size
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let chunks = max(1, min(cores, regions.count))
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (regions.count * c / chunks)..<(regions.count * (c + 1) / chunks)
            var scratch = [SIMD4<Float>]()
            for i in range {
                sampleOne(image, region: regions[i], scratch: &scratch, into: out + i * per)
            }
        }
    }

    /// One crop. image: [H, W] RGBX floats; out: [3, S, S]; scratch reused across calls.
    func sampleOne(_ image: PreparedImage, region: Box, scratch: inout [SIMD4<Float>], into out: UnsafeMutablePointer<Float>) {
        let s = size, width = image.width
        let hc = ResampleTaps(inSize: width, from: region.x1, to: region.x2, outSize: s)
        let vc = ResampleTaps(inSize: image.height, from: region.y1, to: region.y2, outSize: s)
        // Source rows the vertical pass reads (inside the image).
        let rowLo = vc.minInside, rows = max(0, vc.maxInside - vc.minInside)
        if scratch.count < max(rows, 1) * s { scratch = [SIMD4<Float>](repeating: .zero, count: max(rows, 1) * s) }
        let pad = SIMD4<Float>(padColor[0], padColor[1], padColor[2], 0)
        let lo = SIMD4<Float>(repeating: 0), hi = SIMD4<Float>(repeating: 255)
        // Buffer pointers obtained once: the loops below index them unchecked.
        image.pixels.withUnsafeBufferPointer { srcBuf in
        scratch.withUnsafeMutableBufferPointer { tmpBuf in
        hc.weights.withUnsafeBufferPointer { hw in
        vc.weights.withUnsafeBufferPointer { vw in
        hc.start.withUnsafeBufferPointer { hStart in
        hc.count.withUnsafeBufferPointer { hCount in
        hc.padWeight.withUnsafeBufferPointer { hPad in
            let src = srcBuf.baseAddress!, tmp = tmpBuf.baseAddress!, hWeights = hw.baseAddress!
            // Horizontal pass. tmp: [rows, S] RGBX. Pillow stores this intermediate image as
            // bytes, so clip and round likewise.
            for r in 0..<rows {
                let row = src + (rowLo + r) * width
                let dst = tmp + r * s
                for ox in 0..<s {
                    let taps = row + hStart[ox], count = hCount[ox]
                    let w = hWeights + ox * hc.stride
                    var acc = pad * hPad[ox]
                    for k in 0..<count { acc += w[k] * taps[k] }
                    dst[ox] = clipRound(acc, lo, hi)
                }
            }
            // Vertical pass, then clip, round and normalise into [3, S, S].
            let mean255 = SIMD4<Float>(mean[0] * 255, mean[1] * 255, mean[2] * 255, 0)
            let invStd = SIMD4<Float>(1 / (std[0] * 255), 1 / (std[1] * 255), 1 / (std[2] * 255), 0)
            let plane = s * s
            for oy in 0..<s {
                let start = vc.start[oy] - rowLo, count = vc.count[oy]
                let w = vw.baseAddress! + oy * vc.stride
                let padPart = pad * vc.padWeight[oy]
                for ox in 0..<s {
                    var acc = padPart
                    var p = tmp + start * s + ox
                    for k in 0..<count {
                        acc += w[k] * p.pointee
                        p += s
                    }
                    let v = (clipRound(acc, lo, hi) - mean255) * invStd
                    let o = oy * s + ox
                    out[o] = v[0]
                    out[plane + o] = v[1]
                    out[2 * plane + o] = v[2]
                }
            }
        }}}
        }
        }
        }
        }
    }
}

/// Clips to [0, 255] and rounds to an integer value. Written with `replacing` and the 2²³
/// trick because SIMD `clamped` and `rounded` are scalarised by the compiler.
@inline(__always)
func clipRound(_ v: SIMD4<Float>, _ lo: SIMD4<Float>, _ hi: SIMD4<Float>) -> SIMD4<Float> {
    var x = v.replacing(with: lo, where: v .< lo)
    x = x.replacing(with: hi, where: x .> hi)
    let magic = SIMD4<Float>(repeating: 8_388_608)
    return (x + magic) - magic
}

/// An image widened once to RGBX floats, the layout the crop sampler's SIMD loops read.
public struct PreparedImage: Sendable {
    public let width: Int
    public let height: Int
    let pixels: [SIMD4<Float>]

    public init(_ image: RGBImage) {
        width = image.width
        height = image.height
        var p = [SIMD4<Float>](repeating: .zero, count: image.width * image.height)
        image.pixels.withUnsafeBufferPointer { src in
            p.withUnsafeMutableBufferPointer { dst in
                for i in 0..<dst.count {
                    dst[i] = SIMD4(Float(src[3 * i]), Float(src[3 * i + 1]), Float(src[3 * i + 2]), 0)
                }
            }
        }
        pixels = p
    }
}

/// Pillow's antialiased bicubic taps (`PILResample.Filter.taps`) for resampling the source
/// span [from, to) onto `outSize` samples, split into the part inside the image (explicit weights) and the part outside
/// (one summed weight applied to the pad colour), so the inner loops never branch.
struct ResampleTaps {
    var start: [Int]
    var count: [Int]
    var padWeight: [Float]
    var weights: [Float]
    var stride: Int
    var minInside: Int
    var maxInside: Int

    init(inSize: Int, from: Float, to: Float, outSize: Int) {
        let filter = PILResample.Filter.bicubic
        let scale = Double(to - from) / Double(outSize)
        let filterScale = max(scale, 1)
        stride = filter.kernelSize(filterScale: filterScale)
        start = [Int](repeating: 0, count: outSize)
        count = [Int](repeating: 0, count: outSize)
        padWeight = [Float](repeating: 0, count: outSize)
        weights = [Float](repeating: 0, count: outSize * stride)
        minInside = inSize
        maxInside = 0
        var w = [Double](repeating: 0, count: stride)
        // Like Pillow resizing the cut-out crop, the window stops at the crop's own edges
        // (weights renormalised); inside the crop, pixels beyond the image are padding.
        let region = Int(Double(from).rounded(.down))..<Int(Double(to).rounded(.up))
        for i in 0..<outSize {
            let window = filter.taps(center: Double(from) + (Double(i) + 0.5) * scale, filterScale: filterScale,
                                     bounds: region, into: &w)
            let inLo = min(max(window.lowerBound, 0), inSize), inHi = max(min(window.upperBound, inSize), inLo)
            start[i] = inLo
            count[i] = inHi - inLo
            var pad = 0.0
            for (k, j) in window.enumerated() {
                if j < 0 || j >= inSize { pad += w[k] } else { weights[i * stride + (j - inLo)] = Float(w[k]) }
            }
            padWeight[i] = Float(pad)
            if inHi > inLo {
                minInside = min(minInside, inLo)
                maxInside = max(maxInside, inHi)
            }
        }
        if minInside > maxInside { minInside = 0; maxInside = 0 }
    }
}
