/// An axis-aligned box in pixel coordinates: `(x1, y1)` is the top-left corner and `(x2, y2)`
/// the bottom-right one, the `xyxy` layout torchvision uses.
///
/// ```swift
/// let a = Box(x1: 0, y1: 0, x2: 10, y2: 10)
/// let b = Box(x1: 5, y1: 0, x2: 15, y2: 10)
/// a.iou(b)                          // 50 / 150 = 0.333…
/// a.clipped(width: 8, height: 8)    // Box(x1: 0, y1: 0, x2: 8, y2: 8)
/// ```
///
/// `x2 ≥ x1` and `y2 ≥ y1` are *not* assumed: a box may be degenerate (zero width or height)
/// or inverted (`x2 < x1`). The geometric properties here (`width`, `height`, `area`,
/// `intersectionArea`, `iou`) treat such a box as empty, so they never return a negative size.
/// torchvision's `box_area` instead returns the raw signed product `(x2 - x1) * (y2 - y1)`
/// (negative when one side is inverted, positive when both are); that value is `signedArea`, and
/// it is what `NonMaxSuppression` uses internally to stay bit-identical with torchvision.
public struct Box: Sendable, Equatable, Hashable, Codable {
    public var x1: Float
    public var y1: Float
    public var x2: Float
    public var y2: Float

    /// Creates a box from its corners, stored as given (no reordering, no clamping).
    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// `x2 - x1`, or 0 when the box is degenerate or inverted along x.
    public var width: Float { Box.nonNegative(x2 - x1) }

    /// `y2 - y1`, or 0 when the box is degenerate or inverted along y.
    public var height: Float { Box.nonNegative(y2 - y1) }

    /// `width * height`: 0 for degenerate and inverted boxes, never negative.
    /// For a well-formed box (`x1 ≤ x2`, `y1 ≤ y2`) it is bit-identical to torchvision's `box_area`.
    public var area: Float { width * height }

    /// torchvision's `box_area`: `(x2 - x1) * (y2 - y1)` in Float, without clamping, so it is
    /// negative for a box inverted along one axis and positive for one inverted along both.
    public var signedArea: Float { (x2 - x1) * (y2 - y1) }

    /// The centre point `((x1 + x2) / 2, (y1 + y2) / 2)`.
    public var center: (x: Float, y: Float) { ((x1 + x2) * 0.5, (y1 + y2) * 0.5) }

    /// The overlap of two boxes, or `nil` when they share no area (touching edges, disjoint,
    /// or either box empty).
    public func intersection(_ other: Box) -> Box? {
        let overlap = Box(
            x1: Swift.max(x1, other.x1), y1: Swift.max(y1, other.y1),
            x2: Swift.min(x2, other.x2), y2: Swift.min(y2, other.y2))
        return overlap.area > 0 ? overlap : nil
    }

    /// Area of the overlap, computed as torchvision's `box_iou` does:
    /// `max(0, min(x2) - max(x1)) * max(0, min(y2) - max(y1))`.
    public func intersectionArea(_ other: Box) -> Float {
        let w = Box.nonNegative(Swift.min(x2, other.x2) - Swift.max(x1, other.x1))
        let h = Box.nonNegative(Swift.min(y2, other.y2) - Swift.max(y1, other.y1))
        return w * h
    }

    /// Intersection over union, in [0, 1]; symmetric (`a.iou(b) == b.iou(a)` bit for bit).
    ///
    /// For well-formed boxes this is bit-identical to torchvision's `box_iou` and to the overlap
    /// `nms` compares: `inter / (areaA + areaB - inter)` in Float. Where torchvision would divide
    /// 0 by 0 (two empty boxes) this returns 0 instead of NaN, and empty or inverted boxes count
    /// as area 0 rather than torchvision's signed area.
    public func iou(_ other: Box) -> Float {
        let inter = intersectionArea(other)
        let union = area + other.area - inter
        guard union > 0 else { return 0 }
        return inter / union
    }

    /// The box clamped to the image `[0, width] × [0, height]`, as torchvision's
    /// `clip_boxes_to_image` does (x coordinates to `[0, width]`, y to `[0, height]`).
    /// An inverted box stays inverted; a box fully outside becomes degenerate on the border.
    /// - Precondition: `width ≥ 0` and `height ≥ 0`.
    public func clipped(width: Int, height: Int) -> Box {
        let w = Float(width)
        let h = Float(height)
        return Box(
            x1: Box.clamp(x1, upTo: w), y1: Box.clamp(y1, upTo: h),
            x2: Box.clamp(x2, upTo: w), y2: Box.clamp(y2, upTo: h))
    }

    /// `std::max(0, value)`: 0 for negative values and NaN.
    @inline(__always)
    static func nonNegative(_ value: Float) -> Float { 0 < value ? value : 0 }

    @inline(__always)
    private static func clamp(_ value: Float, upTo limit: Float) -> Float {
        Swift.min(Swift.max(value, 0), limit)
    }
}
