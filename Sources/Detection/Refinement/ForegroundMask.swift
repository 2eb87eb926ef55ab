import Imaging

/// A binary mask over a `width` × `height` image, row-major, one byte per pixel (0 or 1).
///
/// ```swift
/// let mask = try GrabCut.foreground(of: window, in: PixelRect(x: 4, y: 4, width: 50, height: 40))
/// if let r = mask.largestComponent() { print(r.left, r.top, r.right, r.bottom) }  // inclusive
/// ```
public struct ForegroundMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` bytes, 1 = foreground.
    public let bits: [UInt8]

    /// Precondition: `bits.count == width * height`.
    public init(width: Int, height: Int, bits: [UInt8]) {
        precondition(bits.count == width * height, "mask of \(bits.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.bits = bits
    }

    /// Number of foreground pixels.
    public var count: Int { bits.reduce(0) { $0 + Int($1) } }

    /// The bounding rectangle (inclusive corners) of the largest 8-connected foreground
    /// component, nil when there is no foreground. Ties go to the component found first in
    /// row-major order. Uses one label buffer and one stack, both of at most `width * height`.
    public func largestComponent() -> PixelRect? {
        var label = [Int32](repeating: 0, count: bits.count)
        var stack: [Int] = []
        stack.reserveCapacity(64)
        var best: (size: Int, rect: PixelRect)?
        var next: Int32 = 0
        for start in 0..<bits.count where bits[start] != 0 && label[start] == 0 {
            next += 1
            label[start] = next
            stack.append(start)
            var size = 0
            var r = PixelRect(left: start % width, top: start / width, right: start % width, bottom: start / width)
            while let i = stack.popLast() {
                size += 1
                let x = i % width, y = i / width
                r.left = min(r.left, x); r.right = max(r.right, x)
                r.top = min(r.top, y); r.bottom = max(r.bottom, y)
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) {
                        let j = ny * width + nx
                        if bits[j] != 0 && label[j] == 0 {
                            label[j] = next
                            stack.append(j)
                        }
                    }
                }
            }
            if size > (best?.size ?? 0) { best = (size, r) }
        }
        return best?.rect
    }
}
