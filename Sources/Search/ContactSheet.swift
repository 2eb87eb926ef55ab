import CLIP
import Foundation
import Imaging

/// A contact sheet of search results: the query first (its image, or its text on a dark
/// tile), then one thumbnail per hit with its rank, score and file name, in a grid.
///
/// ```swift
/// let sheet = ContactSheet().render(query: .text("a giraffe"), hits: hits)
/// try ImageWriter.write(sheet, to: "giraffes.jpg")     // atomic
/// ```
///
/// Layout: `n = hits.count + 1` tiles in `columns = min(maxColumns, ⌈√n⌉)` columns and
/// `⌈n / columns⌉` rows. Each tile is a `tileSize`² thumbnail area (image scaled to fit,
/// aspect kept, centred) above a `captionHeight` caption; `gap` pixels separate tiles and
/// frame the sheet: width `gap + columns·(tileSize + gap)`, height
/// `gap + rows·(tileSize + captionHeight + gap)`. A hit whose file can no longer be read gets a
/// grey tile saying so. Text is OpenCV's Hershey font: ASCII only, other characters show as "?".
public struct ContactSheet: Sendable {
    /// What was searched for.
    public enum Query: Sendable {
        case text(String)
        case image(RGBImage, name: String)
    }

    /// Side of the square thumbnail area, pixels.
    public var tileSize = 192
    /// Height of the two-line caption under each thumbnail, pixels.
    public var captionHeight = 44
    /// Space between tiles and around the sheet, pixels.
    public var gap = 8
    /// Most tiles per row.
    public var maxColumns = 6

    public init(tileSize: Int = 192, captionHeight: Int = 44, gap: Int = 8, maxColumns: Int = 6) {
        self.tileSize = max(16, tileSize)
        self.captionHeight = max(0, captionHeight)
        self.gap = max(0, gap)
        self.maxColumns = max(1, maxColumns)
    }

    /// Columns and rows for `tiles` tiles (≥ 1).
    public func grid(tiles: Int) -> (columns: Int, rows: Int) {
        let n = max(1, tiles)
        let columns = min(maxColumns, Int(Double(n).squareRoot().rounded(.up)))
        return (columns, (n + columns - 1) / columns)
    }

    /// Pixel size of the sheet for `hits` results (plus the query tile).
    public func size(hits: Int) -> (width: Int, height: Int) {
        let g = grid(tiles: hits + 1)
        return (gap + g.columns * (tileSize + gap), gap + g.rows * (tileSize + captionHeight + gap))
    }

    /// Draws the sheet. `load` reads a hit's image (default: `ImageLoader.load`); nil marks
    /// it unreadable.
    public func render(query: Query, hits: [SearchHit],
                       load: (String) -> RGBImage? = { try? ImageLoader.load(path: $0) }) -> RGBImage {
        let (width, height) = size(hits: hits.count)
        let columns = grid(tiles: hits.count + 1).columns
        var pixels = [UInt8](repeating: 250, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { buffer in
            let canvas = SheetCanvas(pixels: buffer.baseAddress!, width: width, height: height)
            for tile in 0...hits.count {
                let x = gap + (tile % columns) * (tileSize + gap)
                let y = gap + (tile / columns) * (tileSize + captionHeight + gap)
                if tile == 0 {
                    drawQuery(query, x: x, y: y, on: canvas)
                } else {
                    let hit = hits[tile - 1]
                    if let image = load(hit.path) {
                        drawThumbnail(image, x: x, y: y, on: canvas)
                    } else {
                        canvas.fill(x: x, y: y, w: tileSize, h: tileSize, (160, 160, 160))
                        canvas.text("unreadable", x: x + 8, baseline: y + tileSize / 2, scale: 0.5, thickness: 1, (40, 40, 40))
                    }
                    caption(String(format: "#%d  %.3f", tile, Double(hit.score)),
                            (hit.path as NSString).lastPathComponent, x: x, y: y, on: canvas)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private func drawQuery(_ query: Query, x: Int, y: Int, on canvas: SheetCanvas) {
        switch query {
        case .image(let image, let name):
            drawThumbnail(image, x: x, y: y, on: canvas)
            caption("query image", (name as NSString).lastPathComponent, x: x, y: y, on: canvas)
        case .text(let text):
            canvas.fill(x: x, y: y, w: tileSize, h: tileSize, (36, 52, 84))
            let scale = 0.6, thickness = 1, pad = 10, lineHeight = 22
            var lines = SheetCanvas.wrapped("\"\(text)\"", maxWidth: tileSize - 2 * pad, scale: scale, thickness: thickness)
            let fit = max(1, (tileSize - 2 * pad) / lineHeight)
            if lines.count > fit {
                lines = Array(lines.prefix(fit))
                lines[fit - 1] = SheetCanvas.fitted(lines[fit - 1] + "...", maxWidth: tileSize - 2 * pad, scale: scale, thickness: thickness)
            }
            let top = y + (tileSize - lines.count * lineHeight) / 2
            for (i, line) in lines.enumerated() {
                canvas.text(line, x: x + pad, baseline: top + (i + 1) * lineHeight - 6, scale: scale, thickness: thickness, (255, 255, 255))
            }
            caption("query text", "", x: x, y: y, on: canvas)
        }
    }

    private func drawThumbnail(_ image: RGBImage, x: Int, y: Int, on canvas: SheetCanvas) {
        canvas.fill(x: x, y: y, w: tileSize, h: tileSize, (225, 225, 225))
        let scale = min(Double(tileSize) / Double(image.width), Double(tileSize) / Double(image.height))
        let w = min(tileSize, max(1, Int((Double(image.width) * scale).rounded())))
        let h = min(tileSize, max(1, Int((Double(image.height) * scale).rounded())))
        canvas.blit(image.resized(width: w, height: h), x: x + (tileSize - w) / 2, y: y + (tileSize - h) / 2)
    }

    private func caption(_ first: String, _ second: String, x: Int, y: Int, on canvas: SheetCanvas) {
        guard captionHeight >= 20 else { return }
        let scale = 0.5, top = y + tileSize
        canvas.text(SheetCanvas.fitted(first, maxWidth: tileSize, scale: scale, thickness: 1),
                    x: x + 2, baseline: top + 18, scale: scale, thickness: 1, (0, 0, 0))
        if captionHeight >= 40 {
            canvas.text(SheetCanvas.fitted(second, maxWidth: tileSize, scale: 0.45, thickness: 1),
                        x: x + 2, baseline: top + 37, scale: 0.45, thickness: 1, (90, 90, 90))
        }
    }
}
