/// Multi-scale, multi-aspect sliding windows, in the order `ProposalGenerator` consumes them.
enum SlidingWindows {
    /// Windows for an image of `width` × `height`: scales in the given (coarse-to-fine) order;
    /// within a scale the aspects take turns, and each aspect's positions come in bit-reversed
    /// raster order, so a list cut short anywhere still covers the whole image evenly instead
    /// of only its top rows. Windows span the image exactly: the first touches the left/top
    /// edge, the last the right/bottom edge, the rest are evenly spaced in between.
    static func boxes(width: Int, height: Int, scales: [Double], aspects: [Double], overlap: Double) -> [Box] {
        let shortSide = Double(min(width, height))
        var result: [Box] = []
        for scale in scales {
            var perAspect: [[Box]] = []
            for aspect in aspects {
                let side = scale * shortSide
                // Whole-pixel sizes, so windows end exactly on the image's right and bottom edges.
                let w = max(1, min((side * aspect.squareRoot()).rounded(), Double(width)))
                let h = max(1, min((side / aspect.squareRoot()).rounded(), Double(height)))
                let xs = positions(length: Double(width), window: w, overlap: overlap)
                let ys = positions(length: Double(height), window: h, overlap: overlap)
                var grid: [Box] = []
                grid.reserveCapacity(xs.count * ys.count)
                for y in ys {
                    for x in xs {
                        grid.append(Box(x1: Float(x), y1: Float(y), x2: Float(x + w), y2: Float(y + h)))
                    }
                }
                perAspect.append(bitReversedOrder(grid))
            }
            let longest = perAspect.map(\.count).max() ?? 0
            for i in 0..<longest {
                for list in perAspect where i < list.count {
                    result.append(list[i])
                }
            }
        }
        return result
    }

    /// Left edges of windows of size `window` covering `0...length` with steps of at most
    /// `window * (1 - overlap)`, rounded to whole pixels.
    static func positions(length: Double, window: Double, overlap: Double) -> [Double] {
        let room = length - window
        guard room > 0.5 else { return [0] }
        let step = window * (1 - overlap)
        let count = Int((room / step).rounded(.up)) + 1
        return (0..<count).map { (room * Double($0) / Double(count - 1)).rounded() }
    }

    /// `items` reordered by the bit-reversed value of their index (van der Corput order).
    static func bitReversedOrder<T>(_ items: [T]) -> [T] {
        guard items.count > 2 else { return items }
        var bits = 0
        while (1 << bits) < items.count { bits += 1 }
        var result: [T] = []
        result.reserveCapacity(items.count)
        for i in 0..<(1 << bits) {
            var reversed = 0
            for b in 0..<bits where i & (1 << b) != 0 {
                reversed |= 1 << (bits - 1 - b)
            }
            if reversed < items.count { result.append(items[reversed]) }
        }
        return result
    }
}
