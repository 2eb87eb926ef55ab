import CLIP

/// Summed-area tables of an image's R, G and B samples, so the mean colour of any rectangle
/// costs four reads per channel. Sums are UInt32 with wrapping arithmetic: the table itself
/// may overflow on large frames, but a rectangle's sum (at most 255 · its area) is exact
/// modulo 2³², hence exact.
struct ColorIntegral {
    let width: Int
    let height: Int
    private let table: [UInt32]  // (height + 1) × (width + 1) × 3, first row and column zero

    init(_ image: RGBImage) {
        let width = image.width, height = image.height
        self.width = width
        self.height = height
        let stride = (width + 1) * 3
        var t = [UInt32](repeating: 0, count: stride * (height + 1))
        image.pixels.withUnsafeBufferPointer { px in
            t.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0
                    let src = y * width * 3
                    let above = y * stride, here = (y + 1) * stride
                    for x in 0..<width {
                        let p = src + 3 * x, o = 3 * (x + 1)
                        r &+= UInt32(px[p])
                        g &+= UInt32(px[p + 1])
                        b &+= UInt32(px[p + 2])
                        out[here + o] = out[above + o] &+ r
                        out[here + o + 1] = out[above + o + 1] &+ g
                        out[here + o + 2] = out[above + o + 2] &+ b
                    }
                }
            }
        }
        table = t
    }

    /// Largest side of the signature grid.
    static let maxCells = 16
    /// Smallest cell side in source pixels: averaging at least 8×8 pixels per cell keeps
    /// codec and sensor noise (σ ≈ 4 levels per pixel on vtest.avi) to ≈ 0.4 levels per cell,
    /// whatever the crop's size, so one threshold fits small and large crops.
    static let minCellSide: Float = 8

    /// Grid side for a region: `side / minCellSide`, clamped to 2…16.
    static func gridSide(for region: Box) -> Int {
        min(maxCells, max(2, Int(max(region.width, region.height) / minCellSide)))
    }

    /// The `n × n` grid (`n = gridSide(for:)`) of mean colours over `region` (source pixels),
    /// as `n² × 3` values (R, G, B per cell, rows first). Parts outside the image are ignored;
    /// cells entirely outside read 0. Colour, not grey: CLIP tells a red square from a green
    /// one of the same brightness.
    func signature(of region: Box) -> [Float] {
        let n = Self.gridSide(for: region)
        func edges(_ lo: Float, _ hi: Float, _ limit: Int) -> [(Int, Int)] {
            (0..<n).map { k in
                let a = Int((lo + (hi - lo) * Float(k) / Float(n)).rounded(.down))
                let b = max(a + 1, Int((lo + (hi - lo) * Float(k + 1) / Float(n)).rounded(.down)))
                return (min(max(a, 0), limit), min(max(b, 0), limit))
            }
        }
        let xs = edges(region.x1, region.x2, width), ys = edges(region.y1, region.y2, height)
        var out = [Float](repeating: 0, count: n * n * 3)
        let stride = (width + 1) * 3
        table.withUnsafeBufferPointer { t in
            for (cy, (y0, y1)) in ys.enumerated() where y1 > y0 {
                for (cx, (x0, x1)) in xs.enumerated() where x1 > x0 {
                    let inverseArea = 1 / Float((y1 - y0) * (x1 - x0))
                    for c in 0..<3 {
                        let sum = t[y1 * stride + 3 * x1 + c] &- t[y0 * stride + 3 * x1 + c]
                            &- t[y1 * stride + 3 * x0 + c] &+ t[y0 * stride + 3 * x0 + c]
                        out[(cy * n + cx) * 3 + c] = Float(sum) * inverseArea
                    }
                }
            }
        }
        return out
    }
}
