import Imaging

extension PixelRect {
    /// The pixels a `Box` covers (`x1 ..< x2` rounded outwards), clamped to a `width` × `height`
    /// image; nil for a non-finite coordinate. Degenerate boxes become one pixel wide or high.
    init?(_ box: Box, width: Int, height: Int) {
        guard box.x1.isFinite, box.y1.isFinite, box.x2.isFinite, box.y2.isFinite else { return nil }
        func clamp(_ value: Float, _ limit: Int) -> Int {
            Int(min(max(value, 0), Float(limit - 1)))
        }
        let left = clamp(box.x1.rounded(.down), width)
        let top = clamp(box.y1.rounded(.down), height)
        self.init(left: left, top: top,
                  right: max(left, clamp(box.x2.rounded(.up) - 1, width)),
                  bottom: max(top, clamp(box.y2.rounded(.up) - 1, height)))
    }
}
