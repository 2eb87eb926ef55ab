import Foundation

/// Pillow's antialiased resampling (src/libImaging/Resample.c), reproduced exactly: same
/// filters evaluated in double precision, same support widening when downscaling, same
/// 22-bit fixed-point coefficients, same rounding and clipping to 8 bits between passes.
/// `Image.resize` runs the horizontal pass first, then the vertical one, and skips a pass
/// whose size does not change.
public enum PILResample {
    /// Pillow's filter numbers, as `preprocessor_config.json` stores them in `resample`.
    public enum Filter: Int, Sendable, Codable {
        case lanczos = 1
        case bilinear = 2
        case bicubic = 3
        case box = 4
        case hamming = 5

        /// Half-width of the filter at scale 1.
        var support: Double {
            switch self {
            case .box: return 0.5
            case .bilinear, .hamming: return 1.0
            case .bicubic: return 2.0
            case .lanczos: return 3.0
            }
        }

        /// The kernel, written with Pillow's operation order so doubles round the same way.
        func weight(_ x: Double) -> Double {
            switch self {
            case .box:
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0
            case .bilinear:
                let x = abs(x)
                return x < 1.0 ? 1.0 - x : 0.0
            case .hamming:
                var x = abs(x)
                if x == 0.0 { return 1.0 }
                if x >= 1.0 { return 0.0 }
                x = x * Double.pi
                return sin(x) / x * (Double(Float(0.54)) + Double(Float(0.46)) * cos(x))
            case .bicubic:
                let a = -0.5
                let x = abs(x)
                if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
                if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
                return 0.0
            case .lanczos:
                guard -3.0 <= x && x < 3.0 else { return 0.0 }
                return Self.sinc(x) * Self.sinc(x / 3)
            }
        }

        /// Taps per output sample when shrinking by `filterScale` (≥ 1): Pillow's `ksize`.
        public func kernelSize(filterScale: Double) -> Int {
            Int(ceil(support * filterScale)) * 2 + 1
        }

        /// Pillow's `precompute_coeffs` for one output sample centred at `center` (in source
        /// samples): the source window, cut to `bounds`, and its weights normalised to sum 1,
        /// written to `weights` (room for `kernelSize(filterScale:)`). Pillow's own resize
        /// passes `0..<inSize`; a crop sampler passes the crop's span, reading outside the image
        /// as padding. Returns the window (empty when `bounds` leaves nothing).
        ///
        /// ```swift
        /// var w = [Double](repeating: 0, count: PILResample.Filter.bicubic.kernelSize(filterScale: 2))
        /// let window = PILResample.Filter.bicubic.taps(center: 5, filterScale: 2, bounds: 0..<100, into: &w)
        /// ```
        public func taps(center: Double, filterScale: Double, bounds: Range<Int>, into weights: inout [Double]) -> Range<Int> {
            let support = self.support * filterScale
            let ss = 1.0 / filterScale
            // C's (int) cast truncates toward zero; below `bounds` (≥ 0 for Pillow) both agree.
            let lo = max(Int((center - support + 0.5).rounded(.down)), bounds.lowerBound)
            let hi = min(Int((center + support + 0.5).rounded(.down)), bounds.upperBound)
            let n = min(max(hi - lo, 0), kernelSize(filterScale: filterScale), weights.count)
            var total = 0.0
            for x in 0..<n {
                let w = weight((Double(x + lo) - center + 0.5) * ss)
                weights[x] = w
                total += w
            }
            if total != 0.0 {
                for x in 0..<n { weights[x] = weights[x] / total }
            }
            return lo..<(lo + n)
        }

        private static func sinc(_ x: Double) -> Double {
            if x == 0.0 { return 1.0 }
            let y = x * Double.pi
            return sin(y) / y
        }
    }

    /// Fractional bits of the fixed-point coefficients (`PRECISION_BITS` = 32 - 8 - 2).
    static let precisionBits: Int32 = 22

    /// Per-output-sample source window and fixed-point weights for one axis.
    ///
    /// Output sample `i` is `clip8((1 << 21 + Σ_k in[start(i) + k] · weight(i, k)) >> 22)`
    /// for `k < count(i)`.
    public struct Coefficients: Sendable {
        public let inSize: Int
        public let outSize: Int
        /// Weights per output sample (row stride of `weights`).
        public let kernelSize: Int
        /// `2 * i`: first source index; `2 * i + 1`: number of taps.
        public let bounds: [Int32]
        public let weights: [Int32]

        /// Precomputes the weights Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` give
        /// for resizing `inSize` samples to `outSize`. Precondition: both positive.
        public init(inSize: Int, outSize: Int, filter: Filter) {
            precondition(inSize > 0 && outSize > 0, "resample sizes must be positive")
            self.inSize = inSize
            self.outSize = outSize
            let scale = Double(inSize) / Double(outSize)
            let filterScale = max(scale, 1.0)
            let kernelSize = filter.kernelSize(filterScale: filterScale)
            self.kernelSize = kernelSize
            var bounds = [Int32](repeating: 0, count: 2 * outSize)
            var weights = [Int32](repeating: 0, count: outSize * kernelSize)
            var k = [Double](repeating: 0, count: kernelSize)
            let one = Double(1 << PILResample.precisionBits)
            for xx in 0..<outSize {
                let window = filter.taps(center: (Double(xx) + 0.5) * scale, filterScale: filterScale,
                                         bounds: 0..<inSize, into: &k)
                for x in 0..<window.count {
                    let normalised = k[x]
                    weights[xx * kernelSize + x] = normalised < 0
                        ? Int32(-0.5 + normalised * one)
                        : Int32(0.5 + normalised * one)
                }
                bounds[2 * xx] = Int32(window.lowerBound)
                bounds[2 * xx + 1] = Int32(window.count)
            }
            self.bounds = bounds
            self.weights = weights
        }
    }

    /// Pillow's `clip8`: fixed-point sum (already offset by half) to 0...255.
    @inline(__always)
    static func clip8(_ sum: Int32) -> UInt8 {
        let v = sum >> precisionBits
        return v < 0 ? 0 : (v > 255 ? 255 : UInt8(truncatingIfNeeded: v))
    }
}
