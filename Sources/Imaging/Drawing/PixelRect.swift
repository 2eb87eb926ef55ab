/// A rectangle of whole pixels given by its inclusive corners: columns `left...right`, rows
/// `top...bottom`.
///
/// ```swift
/// let tile = PixelRect(x: 8, y: 8, width: 192, height: 192)   // left 8, right 199
/// canvas.fill(tile, color: (225, 225, 225))
/// ```
public struct PixelRect: Sendable, Equatable {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// Columns `x ..< x + width`, rows `y ..< y + height`.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.init(left: x, top: y, right: x + width - 1, bottom: y + height - 1)
    }

    /// Columns covered (0 for an empty rectangle).
    public var width: Int { max(0, right - left + 1) }
    /// Rows covered (0 for an empty rectangle).
    public var height: Int { max(0, bottom - top + 1) }
    /// True when the rectangle covers no pixel.
    public var isEmpty: Bool { width == 0 || height == 0 }
}
