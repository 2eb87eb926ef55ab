/// CLIP's image preprocessing, identical to transformers' `CLIPImageProcessor` with the PIL
/// backend (`CLIPImageProcessorPil`): resize on the 8-bit image with Pillow's filter, center
/// crop (zero-padding an image smaller than the crop), rescale by 1/255, normalise with
/// mean/std, channel-first float32.
///
/// ```swift
/// let processor = ImageProcessor(config: .clipDefaults(imageSize: 224))
/// let pixelValues = processor.preprocess(image)   // [3 * 224 * 224], == pixel_values[0]
/// ```
///
/// Only the pixels inside the crop are ever resampled, and each output value comes from a
/// per-channel lookup table that reproduces numpy's float64 rescale → float32 normalise, so the
/// result equals transformers' bit for bit whenever the resampled bytes match Pillow's.
/// Thread-safe; `preprocess` allocates a few scratch rows and coefficient tables per call,
/// nothing per pixel.
public struct ImageProcessor: Sendable {
    public let config: ImageProcessorConfig
    /// Rows of every preprocessed image.
    public let outputHeight: Int
    /// Columns of every preprocessed image.
    public let outputWidth: Int
    /// `table[c * 256 + v]`: the final float for byte `v` in channel `c`.
    private let valueTable: [Float]

    /// Precondition: `config.problem == nil` (`ImageProcessorConfig.load` guarantees it).
    public init(config: ImageProcessorConfig) {
        precondition(config.problem == nil, "invalid ImageProcessorConfig: \(config.problem ?? "")")
        self.config = config
        if config.doCenterCrop {
            outputHeight = config.cropHeight
            outputWidth = config.cropWidth
        } else if case .exact(let h, let w) = config.size {
            outputHeight = h
            outputWidth = w
        } else {
            preconditionFailure("unreachable: config.problem rejects this")
        }
        valueTable = Self.makeValueTable(config)
    }

    /// Number of floats one preprocessed image fills: `3 * outputHeight * outputWidth`.
    public var outputCount: Int { 3 * outputHeight * outputWidth }

    /// The size `CLIPImageProcessor` resizes a `width`×`height` image to, before cropping.
    public func resizedSize(width: Int, height: Int) -> (height: Int, width: Int) {
        guard config.doResize else { return (height, width) }
        switch config.size {
        case .exact(let h, let w):
            return (h, w)
        case .shortestEdge(let edge):
            // get_resize_output_image_size(default_to_square=False): int(edge * long / short).
            let short = min(width, height), long = max(width, height)
            let newLong = Int(Double(edge * long) / Double(short))
            return width <= height ? (newLong, edge) : (edge, newLong)
        }
    }

    /// Preprocesses `image` into `pixel_values[i]`.
    public func preprocess(_ image: RGBImage) -> [Float] {
        var out = [Float](repeating: 0, count: outputCount)
        out.withUnsafeMutableBufferPointer { preprocess(image, into: $0) }
        return out
    }

    /// Writes `[3, outputHeight, outputWidth]` channel-first floats (R plane, G, B) to `out`.
    /// Precondition: `out.count >= outputCount`.
    public func preprocess(_ image: RGBImage, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count >= outputCount, "output buffer holds \(out.count) floats, needs \(outputCount)")
        let (resizedHeight, resizedWidth) = resizedSize(width: image.width, height: image.height)
        // numpy center_crop: top = (H - h) // 2 (floor, also when padding a small image);
        // output row r reads resized row r + top, or 0 outside the image.
        let top = Self.floorHalf(resizedHeight - outputHeight)
        let left = Self.floorHalf(resizedWidth - outputWidth)
        let cropTop = config.doCenterCrop ? top : 0
        let cropLeft = config.doCenterCrop ? left : 0
        let rows = max(cropTop, 0)..<min(resizedHeight, cropTop + outputHeight)
        let columns = max(cropLeft, 0)..<min(resizedWidth, cropLeft + outputWidth)

        valueTable.withUnsafeBufferPointer { table in
            fillPadding(out, table: table, rows: rows.lowerBound - cropTop..<rows.upperBound - cropTop,
                        columns: columns.lowerBound - cropLeft..<columns.upperBound - cropLeft)
            guard !rows.isEmpty, !columns.isEmpty else { return }
            image.pixels.withUnsafeBufferPointer { pixels in
                let resampler = CropResampler(
                    source: pixels, width: image.width, height: image.height,
                    resizedWidth: resizedWidth, resizedHeight: resizedHeight, filter: config.resample,
                    rows: rows, columns: columns)
                resampler.run { resizedRow, rowBytes in
                    // rowBytes: the interleaved RGB bytes of `columns` in resized row `resizedRow`.
                    let r = resizedRow - cropTop
                    let plane = outputHeight * outputWidth
                    var o = r * outputWidth + (columns.lowerBound - cropLeft)
                    for x in 0..<columns.count {
                        out[o] = table[Int(rowBytes[3 * x])]
                        out[plane + o] = table[256 + Int(rowBytes[3 * x + 1])]
                        out[2 * plane + o] = table[512 + Int(rowBytes[3 * x + 2])]
                        o += 1
                    }
                }
            }
        }
    }

    /// Writes the value of a zero byte wherever the crop extends past the resized image.
    private func fillPadding(_ out: UnsafeMutableBufferPointer<Float>, table: UnsafeBufferPointer<Float>,
                             rows: Range<Int>, columns: Range<Int>) {
        if rows == 0..<outputHeight && columns == 0..<outputWidth { return }
        let plane = outputHeight * outputWidth
        for c in 0..<3 {
            let zero = table[256 * c]
            for y in 0..<outputHeight {
                let inside = rows.contains(y)
                for x in 0..<outputWidth where !inside || !columns.contains(x) {
                    out[c * plane + y * outputWidth + x] = zero
                }
            }
        }
    }

    private static func floorHalf(_ value: Int) -> Int {
        value >= 0 ? value / 2 : -((-value + 1) / 2)
    }

    /// transformers: `rescale` multiplies in float64 then casts to float32; `normalize`
    /// subtracts and divides in float32 with mean/std cast to float32.
    private static func makeValueTable(_ config: ImageProcessorConfig) -> [Float] {
        var table = [Float](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            let mean = Float(config.imageMean[c]), std = Float(config.imageStd[c])
            for v in 0..<256 {
                var x = config.doRescale ? Float(Double(v) * config.rescaleFactor) : Float(v)
                if config.doNormalize { x = (x - mean) / std }
                table[256 * c + v] = x
            }
        }
        return table
    }
}
