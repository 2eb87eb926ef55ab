import CLIP
import COpenCV

/// Drawing on one RGB8 buffer through the OpenCV shim, for the contact sheet. With geometry
/// already inside the image, the shim can only fail by running out of memory; a missing stroke
/// then beats failing the whole sheet, so statuses are ignored.
struct SheetCanvas {
    typealias Color = (r: UInt8, g: UInt8, b: UInt8)
    let pixels: UnsafeMutablePointer<UInt8>
    let width: Int
    let height: Int

    /// Fills columns x ..< x+w, rows y ..< y+h.
    func fill(x: Int, y: Int, w: Int, h: Int, _ c: Color) {
        guard w > 0, h > 0 else { return }
        _ = cd_fill_rectangle(pixels, Int32(width), Int32(height), Int32(x), Int32(y), Int32(x + w - 1), Int32(y + h - 1),
                              c.r, c.g, c.b, nil, 0)
    }

    /// Draws `text` with the left end of its baseline at (x, baseline).
    func text(_ text: String, x: Int, baseline: Int, scale: Double, thickness: Int, _ c: Color) {
        _ = text.withCString {
            cd_draw_text(pixels, Int32(width), Int32(height), $0, Int32(x), Int32(baseline), scale, Int32(thickness),
                         c.r, c.g, c.b, nil, 0)
        }
    }

    /// Copies `image` with its top-left corner at (x, y); it must fit inside the canvas.
    func blit(_ image: RGBImage, x: Int, y: Int) {
        precondition(x >= 0 && y >= 0 && x + image.width <= width && y + image.height <= height, "blit outside the canvas")
        image.pixels.withUnsafeBufferPointer { src in
            for row in 0..<image.height {
                (pixels + ((y + row) * width + x) * 3).update(from: src.baseAddress! + row * image.width * 3, count: image.width * 3)
            }
        }
    }

    /// Width in pixels of `text` at `scale`, or nil if OpenCV cannot measure it.
    static func textWidth(_ text: String, scale: Double, thickness: Int) -> Int? {
        var w: Int32 = 0, h: Int32 = 0, base: Int32 = 0
        let status = text.withCString { cd_text_size($0, scale, Int32(thickness), &w, &h, &base, nil, 0) }
        return status == CD_OK ? Int(w) : nil
    }

    /// `text` shortened with "..." until it is at most `maxWidth` pixels wide.
    static func fitted(_ text: String, maxWidth: Int, scale: Double, thickness: Int) -> String {
        if (textWidth(text, scale: scale, thickness: thickness) ?? 0) <= maxWidth { return text }
        var s = Substring(text)
        while !s.isEmpty {
            s = s.dropLast()
            let candidate = s + "..."
            if (textWidth(String(candidate), scale: scale, thickness: thickness) ?? 0) <= maxWidth { return String(candidate) }
        }
        return ""
    }

    /// Greedy word wrap of `text` into lines at most `maxWidth` pixels wide; words wider than a
    /// line are cut with "...".
    static func wrapped(_ text: String, maxWidth: Int, scale: Double, thickness: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if (textWidth(candidate, scale: scale, thickness: thickness) ?? 0) <= maxWidth {
                current = candidate
            } else {
                if !current.isEmpty { lines.append(current) }
                current = fitted(word, maxWidth: maxWidth, scale: scale, thickness: thickness)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
