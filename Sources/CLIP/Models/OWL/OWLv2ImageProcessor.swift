import Dispatch
import Foundation

/// OWLv2's image preprocessing, identical to transformers 5.x's `Owlv2ImageProcessorPil`
/// (the PIL/numpy backend, which calls scipy): rescale the bytes to [0, 1], pad bottom and
/// right with 0.0 to a square, Gaussian anti-aliasing (σ = (factor − 1) / 2, radius
/// `int(4σ + 0.5)`, mode "mirror") then an order-1 `scipy.ndimage.zoom` (`grid_mode=True`,
/// mode "mirror") to the output size, clip to the padded image's range, normalise.
///
/// ```swift
/// let processor = OWLv2ImageProcessor(config: .init(height: 960, width: 960))
/// let pixelValues = processor.preprocess(image)   // [3 * 960 * 960] == pixel_values[0]
/// ```
///
/// Only what the zoom reads is filtered: the vertical pass runs on the ≤ 2·height source rows
/// the zoom samples, the horizontal pass on the ≤ 2·width source columns of those rows, with
/// scipy's per-pass float32 rounding, so the result equals scipy's up to double-precision
/// summation order. Rows run in parallel. Thread-safe.
public struct OWLv2ImageProcessor: Sendable {
    /// The settings of an OWLv2 `preprocessor_config.json`.
    public struct Config: Sendable, Equatable {
        public var doResize = true
        public var height = 960
        public var width = 960
        public var doRescale = true
        public var rescaleFactor = 1.0 / 255.0
        public var doPad = true
        public var doNormalize = true
        public var imageMean = ImageProcessorConfig.openAIMean
        public var imageStd = ImageProcessorConfig.openAIStd

        public init(height: Int = 960, width: Int = 960) {
            self.height = height
            self.width = width
        }
    }

    public let config: Config
    /// Rows / columns of every preprocessed image.
    public var outputHeight: Int { config.height }
    public var outputWidth: Int { config.width }

    /// Precondition: positive output size (`OWLImageProcessor.load` guarantees it).
    public init(config: Config) {
        precondition(config.height > 0 && config.width > 0, "OWLv2ImageProcessor needs a positive size")
        self.config = config
    }

    /// Size of the image after padding (the square the boxes are scaled to).
    public func paddedSize(width: Int, height: Int) -> (height: Int, width: Int) {
        config.doPad ? (max(width, height), max(width, height)) : (height, width)
    }

    /// Preprocesses `image` into `pixel_values[i]`.
    public func preprocess(_ image: RGBImage) -> [Float] {
        var out = [Float](repeating: 0, count: 3 * outputHeight * outputWidth)
        out.withUnsafeMutableBufferPointer { preprocess(image, into: $0) }
        return out
    }

    /// Writes `[3, outputHeight, outputWidth]` channel-first floats to `out`.
    /// Precondition: `out.count >= 3 * outputHeight * outputWidth`; without `doResize` the
    /// padded image must already have the output size.
    public func preprocess(_ image: RGBImage, into out: UnsafeMutableBufferPointer<Float>) {
        let (inH, inW) = paddedSize(width: image.width, height: image.height)
        let outH = config.doResize ? outputHeight : inH, outW = config.doResize ? outputWidth : inW
        precondition(outH == outputHeight && outW == outputWidth, "without do_resize the padded image must be \(outputWidth)x\(outputHeight)")
        precondition(out.count >= 3 * outH * outW, "output buffer too small")
        // Rescaled byte values (numpy: float64 multiply, then float32).
        var levels = [Float](repeating: 0, count: 256)
        for v in 0..<256 { levels[v] = config.doRescale ? Float(Double(v) * config.rescaleFactor) : Float(v) }
        let pad: Float = 0
        image.pixels.withUnsafeBufferPointer { bytes in
            levels.withUnsafeBufferPointer { levels in
                let source = PaddedSource(bytes: bytes, width: image.width, height: image.height, levels: levels, pad: pad)
                // _clip_warp_output: the range of the padded, rescaled (unfiltered) image.
                var lo = Float.infinity, hi = -Float.infinity
                for b in bytes { let v = levels[Int(b)]; lo = min(lo, v); hi = max(hi, v) }
                if inH > image.height || inW > image.width { lo = min(lo, pad); hi = max(hi, pad) }
                let plane = outH * outW
                let ys = ZoomAxis(inSize: inH, outSize: outH), xs = ZoomAxis(inSize: inW, outSize: outW)
                let vertical = GaussianAxis(factor: Double(inH) / Double(outH))
                let horizontal = GaussianAxis(factor: Double(inW) / Double(outW))
                // Vertically filtered source rows the zoom reads: [rows.count, inW, 3].
                let rows = ys.sourceIndices, cols = xs.sourceIndices
                let rowSlot = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
                let colSlot = Dictionary(uniqueKeysWithValues: cols.enumerated().map { ($1, $0) })
                let vBuf = FloatBuffer(count: rows.count * inW * 3)
                let hBuf = FloatBuffer(count: rows.count * cols.count * 3)
                let vp = vBuf.pointer, hp = hBuf.pointer
                parallelChunks(rows.count, minimumPerChunk: 8) { range in
                    var acc = [Double](repeating: 0, count: inW * 3)
                    acc.withUnsafeMutableBufferPointer { acc in
                        for slot in range {
                            let y = rows[slot], dst = vp + slot * inW * 3
                            if vertical.weights.count == 1 {
                                source.row(y, into: dst, count: inW)
                                continue
                            }
                            for i in 0..<(inW * 3) { acc[i] = 0 }
                            let r = vertical.radius
                            for k in -r...r {
                                let w = vertical.weights[k + r], sy = mirror(y + k, inH)
                                source.accumulate(row: sy, weight: w, into: acc, count: inW)
                            }
                            for i in 0..<(inW * 3) { dst[i] = Float(acc[i]) }
                        }
                    }
                }
                // Horizontal pass on the columns the zoom reads: [rows.count, cols.count, 3].
                parallelChunks(rows.count, minimumPerChunk: 8) { range in
                    let r = horizontal.radius
                    for slot in range {
                        let src = vp + slot * inW * 3, dst = hp + slot * cols.count * 3
                        for (ci, x) in cols.enumerated() {
                            if horizontal.weights.count == 1 {
                                for c in 0..<3 { dst[ci * 3 + c] = src[x * 3 + c] }
                                continue
                            }
                            var s0 = 0.0, s1 = 0.0, s2 = 0.0
                            for k in -r...r {
                                let w = horizontal.weights[k + r], sx = mirror(x + k, inW) * 3
                                s0 += w * Double(src[sx]); s1 += w * Double(src[sx + 1]); s2 += w * Double(src[sx + 2])
                            }
                            dst[ci * 3] = Float(s0); dst[ci * 3 + 1] = Float(s1); dst[ci * 3 + 2] = Float(s2)
                        }
                    }
                }
                // Order-1 zoom, clip, normalise.
                let mean = config.imageMean.map { Float($0) }, std = config.imageStd.map { Float($0) }
                let normalize = config.doNormalize, o = out.baseAddress!, nc = cols.count
                let yTaps = ys.taps.map { (rowSlot[$0.0]!, rowSlot[$0.1]!, $0.2) }
                let xTaps = xs.taps.map { (colSlot[$0.0]! * 3, colSlot[$0.1]! * 3, $0.2) }
                parallelChunks(outH, minimumPerChunk: 8) { range in
                    for j in range {
                        let (s0, s1, ty) = yTaps[j]
                        let r0 = hp + s0 * nc * 3, r1 = hp + s1 * nc * 3
                        for i in 0..<outW {
                            let (c0, c1, tx) = xTaps[i]
                            for c in 0..<3 {
                                let top = (1 - tx) * Double(r0[c0 + c]) + tx * Double(r0[c1 + c])
                                let bottom = (1 - tx) * Double(r1[c0 + c]) + tx * Double(r1[c1 + c])
                                var v = Float((1 - ty) * top + ty * bottom)
                                v = min(max(v, lo), hi)
                                if normalize { v = (v - mean[c]) / std[c] }
                                o[c * plane + j * outW + i] = v
                            }
                        }
                    }
                }
            }
        }
    }
}

/// scipy.ndimage's "mirror" extension (d c b | a b c d | c b a) of index `i` into `0..<n`.
@inline(__always)
private func mirror(_ i: Int, _ n: Int) -> Int {
    if n <= 1 { return 0 }
    let period = 2 * n - 2
    var j = i % period
    if j < 0 { j += period }
    return j >= n ? period - j : j
}

/// The padded, rescaled image read row by row (channel-last, as scipy sees it).
private struct PaddedSource {
    let bytes: UnsafeBufferPointer<UInt8>
    let width: Int, height: Int
    let levels: UnsafeBufferPointer<Float>
    let pad: Float

    /// Row `y` of the padded image, `count` pixels × 3 channels, to `dst`.
    func row(_ y: Int, into dst: UnsafeMutablePointer<Float>, count: Int) {
        guard y < height else { dst.update(repeating: pad, count: count * 3); return }
        let base = y * width * 3
        for i in 0..<(width * 3) { dst[i] = levels[Int(bytes[base + i])] }
        if count > width { (dst + width * 3).update(repeating: pad, count: (count - width) * 3) }
    }

    /// acc += weight · row `y` (double sums, like scipy's correlate1d).
    func accumulate(row y: Int, weight: Double, into acc: UnsafeMutableBufferPointer<Double>, count: Int) {
        if y >= height {
            if pad != 0 { for i in 0..<(count * 3) { acc[i] += weight * Double(pad) } }
            return
        }
        let base = y * width * 3
        for i in 0..<(width * 3) { acc[i] += weight * Double(levels[Int(bytes[base + i])]) }
        if pad != 0 { for i in (width * 3)..<(count * 3) { acc[i] += weight * Double(pad) } }
    }
}

/// `gaussian_filter1d` along one axis: σ = max(0, (factor − 1) / 2), radius `int(4σ + 0.5)`,
/// weights exp(−x²/2σ²) normalised (one weight of 1 when the axis is not filtered).
private struct GaussianAxis {
    let radius: Int
    let weights: [Double]

    init(factor: Double) {
        let sigma = max(0, (factor - 1) / 2)
        guard sigma > 1e-15 else { radius = 0; weights = [1]; return }
        radius = Int(4 * sigma + 0.5)
        var w = (-radius...radius).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
        let sum = w.reduce(0, +)
        w = w.map { $0 / sum }
        weights = w
    }
}

/// `scipy.ndimage.zoom(order=1, mode="mirror", grid_mode=True)` along one axis: for each
/// output index the two source indices and the weight of the second.
private struct ZoomAxis {
    let taps: [(Int, Int, Double)]
    /// Sorted distinct source indices that `taps` read.
    let sourceIndices: [Int]

    init(inSize: Int, outSize: Int) {
        let zoom = Double(inSize) / Double(outSize)
        var taps: [(Int, Int, Double)] = []
        var used = Set<Int>()
        for j in 0..<outSize {
            var cc = (Double(j) + 0.5) * zoom - 0.5
            cc = Self.mirrorCoordinate(cc, inSize)
            let start = Int(cc.rounded(.down))
            let t = cc - Double(start)
            let next = start + 1 < inSize ? start + 1 : mirror(start + 1, inSize)
            taps.append((start, next, t))
            used.insert(start)
            used.insert(next)
        }
        self.taps = taps
        sourceIndices = used.sorted()
    }

    /// ni_interpolation.c `map_coordinate` for NI_EXTEND_MIRROR.
    static func mirrorCoordinate(_ x: Double, _ len: Int) -> Double {
        var x = x
        let n = Double(len)
        if x < 0 {
            if len <= 1 { return 0 }
            let sz2 = 2 * n - 2
            x = sz2 * Double(Int(-x / sz2)) + x
            x = x <= 1 - n ? x + sz2 : -x
        } else if x > n - 1 {
            if len <= 1 { return 0 }
            let sz2 = 2 * n - 2
            x -= sz2 * Double(Int(x / sz2))
            if x >= n { x = sz2 - x }
        }
        return x
    }
}
