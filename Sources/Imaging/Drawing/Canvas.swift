import CLIP
import COpenCV

/// An RGB image to draw on: rectangles, filled boxes, text, pasted images. The one drawing
/// surface of the package (detection annotations, search contact sheets).
///
/// ```swift
/// var canvas = Canvas(width: 320, height: 200, fill: (250, 250, 250))
/// canvas.fill(PixelRect(x: 10, y: 10, width: 100, height: 40), color: (36, 52, 84))
/// canvas.stroke(PixelRect(x: 150, y: 20, width: 80, height: 60), color: (230, 25, 75), thickness: 2)
/// let label = canvas.fitted("a long caption", maxWidth: 90, scale: 0.5, thickness: 1)
/// canvas.text(label, x: 14, baseline: 34, scale: 0.5, thickness: 1, color: (255, 255, 255))
/// try ImageWriter.write(canvas.image, to: "drawing.png")
/// ```
///
/// Geometry may reach outside the image: strokes, fills and text are clipped by OpenCV, pasted
/// images by the canvas. Text goes through the canvas's ``face``: OpenCV's Hershey simplex font
/// by default (scale 1 ≈ 22 px capitals, ASCII glyphs only: other characters show as "?"), or
/// an outline font for any script, sized by the same Hershey `scale` (see ``TextFace``):
/// `canvas.face = TextFace.covering(allTheTexts)` before drawing them.
///
/// Drawing never throws: with the geometry clipped, OpenCV's drawing can only fail by running
/// out of memory, and a missing stroke then beats aborting a whole batch of images.
public struct Canvas: Sendable {
    /// A colour as 8-bit red, green, blue.
    public typealias Color = (r: UInt8, g: UInt8, b: UInt8)
    /// Size of a text line: `width` and `height` above the baseline, `baseline` below it, pixels.
    public typealias TextSize = (width: Int, height: Int, baseline: Int)

    /// The drawing so far.
    public private(set) var image: RGBImage
    /// How `text`, `measure`, `fitted` and `wrapped` render and measure text.
    public var face: TextFace = .builtIn

    public var width: Int { image.width }
    public var height: Int { image.height }

    /// A canvas holding a copy of `image`.
    public init(image: RGBImage) {
        self.image = image
    }

    /// A `width` × `height` canvas (both > 0) of one colour.
    public init(width: Int, height: Int, fill: Color) {
        image = RGBImage(width: width, height: height, fill: (fill.r, fill.g, fill.b))
    }

    /// Draws the outline of `rect`, `thickness` pixels wide, centred on its edges.
    public mutating func stroke(_ rect: PixelRect, color: Color, thickness: Int) {
        draw { p, w, h in
            cd_draw_rectangle(p, w, h, Int32(clamping: rect.left), Int32(clamping: rect.top), Int32(clamping: rect.right),
                              Int32(clamping: rect.bottom), color.r, color.g, color.b, Int32(clamping: max(1, thickness)), nil, 0)
        }
    }

    /// Fills `rect`; an empty rectangle draws nothing.
    public mutating func fill(_ rect: PixelRect, color: Color) {
        guard !rect.isEmpty else { return }
        draw { p, w, h in
            cd_fill_rectangle(p, w, h, Int32(clamping: rect.left), Int32(clamping: rect.top), Int32(clamping: rect.right),
                              Int32(clamping: rect.bottom), color.r, color.g, color.b, nil, 0)
        }
    }

    /// Draws `text` with its baseline at row `baseline` and its left end at column `x`.
    public mutating func text(_ text: String, x: Int, baseline: Int, scale: Double, thickness: Int, color: Color) {
        let (w, h, face) = (width, height, face)
        image.pixels.withUnsafeMutableBufferPointer { buffer in
            face.draw(text, on: buffer.baseAddress!, width: w, height: h, x: x, baseline: baseline, scale: scale,
                      thickness: max(1, thickness), color: color)
        }
    }

    /// Copies `source` with its top-left corner at (`x`, `y`); the part outside the canvas is
    /// left out.
    public mutating func paste(_ source: RGBImage, x: Int, y: Int) {
        let left = max(0, x), right = min(width, x + source.width)
        let top = max(0, y), bottom = min(height, y + source.height)
        guard left < right, top < bottom else { return }
        let columns = left..<right, rows = top..<bottom
        let canvasWidth = width
        image.pixels.withUnsafeMutableBufferPointer { target in
            source.pixels.withUnsafeBufferPointer { src in
                for row in rows {
                    let from = ((row - y) * source.width + (columns.lowerBound - x)) * 3
                    let to = (row * canvasWidth + columns.lowerBound) * 3
                    (target.baseAddress! + to).update(from: src.baseAddress! + from, count: columns.count * 3)
                }
            }
        }
    }

    /// The size `text` takes at `scale` and `thickness`, or nil if it cannot be measured.
    public func measure(_ text: String, scale: Double, thickness: Int) -> TextSize? {
        face.size(text, scale: scale, thickness: max(1, thickness))
    }

    /// `text` shortened with "..." until it is at most `maxWidth` pixels wide ("" when not even
    /// "..." fits).
    public func fitted(_ text: String, maxWidth: Int, scale: Double, thickness: Int) -> String {
        func fits(_ s: String) -> Bool { (measure(s, scale: scale, thickness: thickness)?.width ?? 0) <= maxWidth }
        if fits(text) { return text }
        var s = Substring(text)
        while !s.isEmpty {
            s = s.dropLast()
            let candidate = String(s + "...")
            if fits(candidate) { return candidate }
        }
        return ""
    }

    /// Greedy word wrap of `text` into lines at most `maxWidth` pixels wide; a word wider than a
    /// line is cut with "...".
    public func wrapped(_ text: String, maxWidth: Int, scale: Double, thickness: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if (measure(candidate, scale: scale, thickness: thickness)?.width ?? 0) <= maxWidth {
                current = candidate
            } else {
                if !current.isEmpty { lines.append(current) }
                current = fitted(word, maxWidth: maxWidth, scale: scale, thickness: thickness)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Runs one shim drawing call on the pixels. Its status is dropped (see the type's notes).
    private mutating func draw(_ call: (UnsafeMutablePointer<UInt8>, Int32, Int32) -> cd_status) {
        let w = Int32(width)
        let h = Int32(height)
        image.pixels.withUnsafeMutableBufferPointer { buffer in
            _ = call(buffer.baseAddress!, w, h)
        }
    }
}
