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
        let per = 3 * size * size
        image.pixels.withUnsafeBufferPointer { src in
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let chunks = max(1, min(cores, regions.count))
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var scratch: [Float] = []
                for i in (regions.count * c / chunks)..<(regions.count * (c + 1) / chunks) {
                    sampleOne(src, width: image.width, height: image.height, region: regions[i],
                              scratch: &scratch, into: out + i * per)
                }
            }
        }
    }

    /// One crop. src: [H, W, 3] bytes; out: [3, S, S]; scratch reused across calls.
    func sampleOne(_ src: UnsafeBufferPointer<UInt8>, width: Int, height: Int, region: Box,
                   scratch: inout [Float], into out: UnsafeMutablePointer<Float>) {
        let s = size
        let hc = ResampleTaps(inSize: width, from: region.x1, to: region.x2, outSize: s)
        let vc = ResampleTaps(inSize: height, from: region.y1, to: region.y2, outSize: s)
        // Source rows the vertical pass reads (inside the image).
        let rowLo = vc.minInside, rowHi = vc.maxInside
        let rows = max(0, rowHi - rowLo)
        if scratch.count < max(rows, 1) * s * 3 { scratch = [Float](repeating: 0, count: max(rows, 1) * s * 3) }
        let pad0 = padColor[0], pad1 = padColor[1], pad2 = padColor[2]
        scratch.withUnsafeMutableBufferPointer { tmpBuf in
            let tmp = tmpBuf.baseAddress!
            // Horizontal pass. tmp: [rows, S, 3] floats.
            for r in 0..<rows {
                let row = src.baseAddress! + (rowLo + r) * width * 3
                let dst = tmp + r * s * 3
                for ox in 0..<s {
                    let start = hc.start[ox], count = hc.count[ox], wBase = ox * hc.stride
                    let pw = hc.padWeight[ox]
                    var a0 = pw * pad0, a1 = pw * pad1, a2 = pw * pad2
                    var p = row + start * 3
                    for k in 0..<count {
                        let w = hc.weights[wBase + k]
                        a0 += w * Float(p[0]); a1 += w * Float(p[1]); a2 += w * Float(p[2])
                        p += 3
                    }
                    // Pillow stores the intermediate image as bytes: clip and round likewise.
                    dst[ox * 3] = min(max(a0, 0), 255).rounded()
                    dst[ox * 3 + 1] = min(max(a1, 0), 255).rounded()
                    dst[ox * 3 + 2] = min(max(a2, 0), 255).rounded()
                }
            }
            // Vertical pass, clip to the byte range like Pillow, normalise into [3, S, S].
            let m0 = mean[0] * 255, m1 = mean[1] * 255, m2 = mean[2] * 255
            let i0 = 1 / (std[0] * 255), i1 = 1 / (std[1] * 255), i2 = 1 / (std[2] * 255)
            let plane = s * s
            for oy in 0..<s {
                let start = vc.start[oy], count = vc.count[oy], wBase = oy * vc.stride
                let pw = vc.padWeight[oy]
                for ox in 0..<s {
                    var a0 = pw * pad0, a1 = pw * pad1, a2 = pw * pad2
                    var p = tmp + ((start - rowLo) * s + ox) * 3
                    for k in 0..<count {
                        let w = vc.weights[wBase + k]
                        a0 += w * p[0]; a1 += w * p[1]; a2 += w * p[2]
                        p += s * 3
                    }
                    let o = oy * s + ox
                    out[o] = (min(max(a0, 0), 255).rounded() - m0) * i0
                    out[plane + o] = (min(max(a1, 0), 255).rounded() - m1) * i1
                    out[2 * plane + o] = (min(max(a2, 0), 255).rounded() - m2) * i2
                }
            }
        }
    }
}

/// Pillow's antialiased bicubic taps for resampling the source span [from, to) onto `outSize`
/// samples, split into the part inside the image (explicit weights) and the part outside
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
        let scale = Double(to - from) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 2.0 * filterScale  // bicubic support 2
        stride = Int(support.rounded(.up)) * 2 + 1
        start = [Int](repeating: 0, count: outSize)
        count = [Int](repeating: 0, count: outSize)
        padWeight = [Float](repeating: 0, count: outSize)
        weights = [Float](repeating: 0, count: outSize * stride)
        minInside = inSize
        maxInside = 0
        var w = [Double](repeating: 0, count: stride)
        let regionLo = Int(Double(from).rounded(.down)), regionHi = Int(Double(to).rounded(.up))
        for i in 0..<outSize {
            let center = Double(from) + (Double(i) + 0.5) * scale
            // Like Pillow resizing the cut-out crop, the window stops at the crop's own edges
            // (weights renormalised); inside the crop, pixels beyond the image are padding.
            let lo = max(Int((center - support + 0.5).rounded(.down)), regionLo)
            let hi = min(Int((center + support + 0.5).rounded(.down)), regionHi)
            let n = min(max(hi - lo, 0), stride)
            var total = 0.0
            for k in 0..<n {
                let v = ResampleTaps.bicubic((Double(lo + k) - center + 0.5) / filterScale)
                w[k] = v
                total += v
            }
            let norm = total != 0 ? 1 / total : 0
            let inLo = min(max(lo, 0), inSize), inHi = max(min(lo + n, inSize), inLo)
            start[i] = inLo
            count[i] = inHi - inLo
            var pad = 0.0
            for k in 0..<n {
                let j = lo + k
                if j < 0 || j >= inSize { pad += w[k] * norm } else { weights[i * stride + (j - inLo)] = Float(w[k] * norm) }
            }
            padWeight[i] = Float(pad)
            if inHi > inLo {
                minInside = min(minInside, inLo)
                maxInside = max(maxInside, inHi)
            }
        }
        if minInside > maxInside { minInside = 0; maxInside = 0 }
    }

    /// Pillow's bicubic kernel with a = -0.5.
    static func bicubic(_ xIn: Double) -> Double {
        let a = -0.5, x = abs(xIn)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }
}
