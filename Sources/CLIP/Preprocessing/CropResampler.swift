/// Pillow's two-pass `Image.resize` of an RGB image, restricted to the output rows and
/// columns a crop keeps. Each output pixel depends only on its own source window, so
/// computing a subset gives the same bytes as resizing everything and cropping.
struct CropResampler {
    let source: UnsafeBufferPointer<UInt8>
    let width: Int
    let height: Int
    let resizedWidth: Int
    let resizedHeight: Int
    let filter: PILResample.Filter
    /// Resized rows and columns wanted (non-empty, inside the resized image).
    let rows: Range<Int>
    let columns: Range<Int>

    /// Calls `emit(resizedRow, bytes)` for each wanted row, top to bottom, with the row's
    /// interleaved RGB bytes for `columns` (valid only during the call).
    func run(_ emit: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        let needHorizontal = resizedWidth != width
        let needVertical = resizedHeight != height
        let outColumns = columns.count
        // Pillow ≥ 13 runs the vertical pass first when the height shrinks by more than twice
        // as many pixels as the width does (Resample.c, `horizontal_first`); the 8-bit
        // rounding between passes makes the order visible.
        let shrinkY = height - resizedHeight, shrinkX = width - resizedWidth
        if needHorizontal && needVertical && shrinkY > 0 && shrinkY > shrinkX * 2 {
            return runVerticalFirst(emit)
        }

        // Source rows the vertical pass reads (all wanted rows when it is skipped).
        var vertical: PILResample.Coefficients?
        var sourceRows = rows
        if needVertical {
            let v = PILResample.Coefficients(inSize: height, outSize: resizedHeight, filter: filter)
            var first = Int.max, last = 0
            for r in rows {
                let start = Int(v.bounds[2 * r]), count = Int(v.bounds[2 * r + 1])
                first = min(first, start)
                last = max(last, start + count)
            }
            sourceRows = first..<max(first, last)
            vertical = v
        }

        // Horizontal pass: the wanted columns of every source row the vertical pass needs.
        var horizontalOut = [UInt8](repeating: 0, count: max(sourceRows.count, 1) * outColumns * 3)
        horizontalOut.withUnsafeMutableBufferPointer { temp in
            if needHorizontal {
                let h = PILResample.Coefficients(inSize: width, outSize: resizedWidth, filter: filter)
                horizontalPass(h, rows: sourceRows, into: temp)
            } else {
                for (i, y) in sourceRows.enumerated() {
                    let from = (y * width + columns.lowerBound) * 3
                    for b in 0..<(outColumns * 3) { temp[i * outColumns * 3 + b] = source[from + b] }
                }
            }
            let rowLength = outColumns * 3
            guard let vertical else {
                for (i, r) in rows.enumerated() {
                    emit(r, UnsafeBufferPointer(rebasing: temp[(i * rowLength)..<((i + 1) * rowLength)]))
                }
                return
            }
            verticalPass(vertical, temp: UnsafeBufferPointer(temp), firstSourceRow: sourceRows.lowerBound,
                         rowLength: rowLength, emit: emit)
        }
    }

    /// The vertical pass on the source columns the wanted columns read, then the horizontal
    /// pass, one wanted row at a time.
    private func runVerticalFirst(_ emit: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        let v = PILResample.Coefficients(inSize: height, outSize: resizedHeight, filter: filter)
        let h = PILResample.Coefficients(inSize: width, outSize: resizedWidth, filter: filter)
        var first = Int.max, last = 0
        for xx in columns {
            first = min(first, Int(h.bounds[2 * xx]))
            last = max(last, Int(h.bounds[2 * xx]) + Int(h.bounds[2 * xx + 1]))
        }
        let sourceColumns = first..<max(first, last)
        let half = Int32(1) << (PILResample.precisionBits - 1)
        let rowLength = sourceColumns.count * 3
        var sums = [Int32](repeating: 0, count: rowLength)
        var temp = [UInt8](repeating: 0, count: rowLength)
        var row = [UInt8](repeating: 0, count: columns.count * 3)
        for r in rows {
            let ymin = Int(v.bounds[2 * r]), taps = Int(v.bounds[2 * r + 1])
            for i in 0..<rowLength { sums[i] = half }
            for y in 0..<taps {
                let w = v.weights[r * v.kernelSize + y], base = ((ymin + y) * width + sourceColumns.lowerBound) * 3
                for i in 0..<rowLength { sums[i] &+= Int32(source[base + i]) &* w }
            }
            for i in 0..<rowLength { temp[i] = PILResample.clip8(sums[i]) }
            for (o, xx) in columns.enumerated() {
                let xmin = Int(h.bounds[2 * xx]) - sourceColumns.lowerBound, n = Int(h.bounds[2 * xx + 1])
                var s0 = half, s1 = half, s2 = half
                for x in 0..<n {
                    let w = h.weights[xx * h.kernelSize + x], p = (xmin + x) * 3
                    s0 &+= Int32(temp[p]) &* w
                    s1 &+= Int32(temp[p + 1]) &* w
                    s2 &+= Int32(temp[p + 2]) &* w
                }
                row[3 * o] = PILResample.clip8(s0)
                row[3 * o + 1] = PILResample.clip8(s1)
                row[3 * o + 2] = PILResample.clip8(s2)
            }
            row.withUnsafeBufferPointer { emit(r, $0) }
        }
    }

    private func horizontalPass(_ h: PILResample.Coefficients, rows: Range<Int>, into temp: UnsafeMutableBufferPointer<UInt8>) {
        let half = Int32(1) << (PILResample.precisionBits - 1)
        let ksize = h.kernelSize
        let base = UnsafeRawPointer(source.baseAddress!)
        h.bounds.withUnsafeBufferPointer { bounds in
            h.weights.withUnsafeBufferPointer { weights in
                var o = 0
                for y in rows {
                    let rowStart = y * width * 3
                    // Pixels are read 4 bytes at a time (R, G, B + the next pixel's R, weighted
                    // but unused); only the image's very last pixel has no 4th byte after it.
                    let wideLoadsSafe = rowStart + width * 3 < source.count
                    for xx in columns {
                        let xmin = Int(bounds[2 * xx]), taps = Int(bounds[2 * xx + 1])
                        let k = xx * ksize
                        var p = rowStart + xmin * 3
                        var s0 = half, s1 = half, s2 = half
                        if wideLoadsSafe {
                            // Doubles hold these sums exactly (products < 2^31, sums < 2^36)
                            // and multiply faster than Int32 lanes on baseline x86-64.
                            var sum = SIMD4<Double>(repeating: Double(half))
                            for x in 0..<taps {
                                let bytes = base.loadUnaligned(fromByteOffset: p, as: SIMD4<UInt8>.self)
                                let pixel = SIMD4<Double>(SIMD4<Int32>(truncatingIfNeeded: bytes))
                                sum += pixel * SIMD4<Double>(repeating: Double(weights[k + x]))
                                p += 3
                            }
                            s0 = Int32(sum[0]); s1 = Int32(sum[1]); s2 = Int32(sum[2])
                        } else {
                            for x in 0..<taps {
                                let w = weights[k + x]
                                s0 &+= Int32(source[p]) &* w
                                s1 &+= Int32(source[p + 1]) &* w
                                s2 &+= Int32(source[p + 2]) &* w
                                p += 3
                            }
                        }
                        temp[o] = PILResample.clip8(s0)
                        temp[o + 1] = PILResample.clip8(s1)
                        temp[o + 2] = PILResample.clip8(s2)
                        o += 3
                    }
                }
            }
        }
    }

    private func verticalPass(_ v: PILResample.Coefficients, temp: UnsafeBufferPointer<UInt8>, firstSourceRow: Int,
                              rowLength: Int, emit: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        let half = Int32(1) << (PILResample.precisionBits - 1)
        let ksize = v.kernelSize
        var sums = [Int32](repeating: 0, count: rowLength)
        var row = [UInt8](repeating: 0, count: rowLength)
        sums.withUnsafeMutableBufferPointer { sums in
            row.withUnsafeMutableBufferPointer { row in
                v.bounds.withUnsafeBufferPointer { bounds in
                    v.weights.withUnsafeBufferPointer { weights in
                        for r in rows {
                            let ymin = Int(bounds[2 * r]) - firstSourceRow, taps = Int(bounds[2 * r + 1])
                            for i in 0..<rowLength { sums[i] = half }
                            // Row by row instead of Pillow's column by column: integer sums are
                            // order-independent, and contiguous rows vectorise.
                            for y in 0..<taps {
                                let w = weights[r * ksize + y]
                                let base = (ymin + y) * rowLength
                                for i in 0..<rowLength { sums[i] &+= Int32(temp[base + i]) &* w }
                            }
                            for i in 0..<rowLength { row[i] = PILResample.clip8(sums[i]) }
                            emit(r, UnsafeBufferPointer(row))
                        }
                    }
                }
            }
        }
    }
}
