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
/// grey tile saying so. Text is drawn with one outline font for the whole sheet (`font`, or
/// fontconfig's pick covering all its text), or with OpenCV's Hershey font, non-ASCII
/// characters as "?", when no installed font covers it (see ``TextFace``).
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
    /// Font of the query text and captions; nil: the installed font fontconfig picks for them.
    public var font: OutlineFont?

    public init(tileSize: Int = 192, captionHeight: Int = 44, gap: Int = 8, maxColumns: Int = 6, font: OutlineFont? = nil) {
        self.tileSize = max(16, tileSize)
        self.captionHeight = max(0, captionHeight)
        self.gap = max(0, gap)
        self.maxColumns = max(1, maxColumns)
        self.font = font
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
    /// it unreadable (as does an image that cannot be scaled to a thumbnail).
    public func render(query: Query, hits: [SearchHit],
                       load: (String) -> RGBImage? = { try? ImageLoader.load(path: $0) }) -> RGBImage {
        let (width, height) = size(hits: hits.count)
        let columns = grid(tiles: hits.count + 1).columns
        var canvas = Canvas(width: width, height: height, fill: (250, 250, 250))
        let queryText: String
        switch query {
        case .text(let text): queryText = text
        case .image(_, let name): queryText = name
        }
        let fixed = ["query image", "query text", "unreadable", "#0123456789."]
        canvas.face = TextFace.covering(fixed + [queryText] + hits.map { ($0.path as NSString).lastPathComponent },
                                        preferred: font)
        for tile in 0...hits.count {
            let x = gap + (tile % columns) * (tileSize + gap)
            let y = gap + (tile / columns) * (tileSize + captionHeight + gap)
            if tile == 0 {
                drawQuery(query, x: x, y: y, on: &canvas)
            } else {
                let hit = hits[tile - 1]
                if !(load(hit.path).map { drawThumbnail($0, x: x, y: y, on: &canvas) } ?? false) {
                    canvas.fill(PixelRect(x: x, y: y, width: tileSize, height: tileSize), color: (160, 160, 160))
                    canvas.text("unreadable", x: x + 8, baseline: y + tileSize / 2, scale: 0.5, thickness: 1, color: (40, 40, 40))
                }
                caption(String(format: "#%d  %.3f", tile, Double(hit.score)),
                        (hit.path as NSString).lastPathComponent, x: x, y: y, on: &canvas)
            }
        }
        return canvas.image
    }

    private func drawQuery(_ query: Query, x: Int, y: Int, on canvas: inout Canvas) {
        switch query {
        case .image(let image, let name):
            if !drawThumbnail(image, x: x, y: y, on: &canvas) {
                canvas.fill(PixelRect(x: x, y: y, width: tileSize, height: tileSize), color: (160, 160, 160))
            }
            caption("query image", (name as NSString).lastPathComponent, x: x, y: y, on: &canvas)
        case .text(let text):
            canvas.fill(PixelRect(x: x, y: y, width: tileSize, height: tileSize), color: (36, 52, 84))
            let scale = 0.6, thickness = 1, pad = 10, lineHeight = 22
            var lines = canvas.wrapped("\"\(text)\"", maxWidth: tileSize - 2 * pad, scale: scale, thickness: thickness)
            let fit = max(1, (tileSize - 2 * pad) / lineHeight)
            if lines.count > fit {
                lines = Array(lines.prefix(fit))
                lines[fit - 1] = canvas.fitted(lines[fit - 1] + "...", maxWidth: tileSize - 2 * pad, scale: scale, thickness: thickness)
            }
            let top = y + (tileSize - lines.count * lineHeight) / 2
            for (i, line) in lines.enumerated() {
                canvas.text(line, x: x + pad, baseline: top + (i + 1) * lineHeight - 6, scale: scale, thickness: thickness,
                            color: (255, 255, 255))
            }
            caption("query text", "", x: x, y: y, on: &canvas)
        }
    }

    /// Draws `image` scaled to fit the tile at (x, y); false (nothing drawn) if it cannot be scaled.
    private func drawThumbnail(_ image: RGBImage, x: Int, y: Int, on canvas: inout Canvas) -> Bool {
        let scale = min(Double(tileSize) / Double(image.width), Double(tileSize) / Double(image.height))
        let w = min(tileSize, max(1, Int((Double(image.width) * scale).rounded())))
        let h = min(tileSize, max(1, Int((Double(image.height) * scale).rounded())))
        guard let thumbnail = try? image.resized(width: w, height: h) else { return false }
        canvas.fill(PixelRect(x: x, y: y, width: tileSize, height: tileSize), color: (225, 225, 225))
        canvas.paste(thumbnail, x: x + (tileSize - w) / 2, y: y + (tileSize - h) / 2)
        return true
    }

    private func caption(_ first: String, _ second: String, x: Int, y: Int, on canvas: inout Canvas) {
        guard captionHeight >= 20 else { return }
        let scale = 0.5, top = y + tileSize
        canvas.text(canvas.fitted(first, maxWidth: tileSize, scale: scale, thickness: 1),
                    x: x + 2, baseline: top + 18, scale: scale, thickness: 1, color: (0, 0, 0))
        if captionHeight >= 40 {
            canvas.text(canvas.fitted(second, maxWidth: tileSize, scale: 0.45, thickness: 1),
                        x: x + 2, baseline: top + 37, scale: 0.45, thickness: 1, color: (90, 90, 90))
        }
    }
}
