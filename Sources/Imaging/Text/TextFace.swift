import COpenCV
import Foundation

/// How text is drawn onto images: with an outline font (any script), or with OpenCV's built-in
/// Hershey simplex font when no installed font covers the text (ASCII only, every other
/// character drawn as "?").
///
/// ```swift
/// let face = TextFace.covering(["长颈鹿 0.91", "a giraffe 0.88"])   // fontconfig's pick
/// if let size = face.size("长颈鹿 0.91", scale: 0.6, thickness: 1) { print(size.width) }
/// ```
///
/// Sizes are given as Hershey `scale` and `thickness`, the parameters the drawing code has always
/// used: an outline font is drawn at the pixel size whose capital "H" is as tall as Hershey's at
/// that scale, and a text's height above and depth below the baseline are at least Hershey's,
/// so Latin labels keep the box size and baseline they had with the built-in font, and taller
/// glyphs (CJK, accents) only ever grow it.
///
/// | choice | why |
/// |---|---|
/// | one face for all the texts of one drawing | one look per image; fontconfig's per-text pick would mix fonts |
/// | built-in font when no font covers every character | a partial font would draw empty boxes |
/// | a given font is used even when it lacks glyphs (with a warning) | it is the caller's explicit choice |
public struct TextFace: Sendable {
    /// The outline font, or nil for the built-in Hershey font.
    public let font: OutlineFont?

    /// OpenCV's built-in Hershey simplex font.
    public static let builtIn = TextFace(font: nil)

    /// A face drawing with `font` (nil: the built-in font).
    public init(font: OutlineFont?) {
        self.font = font
    }

    /// The face to draw all of `texts` with: `preferred` when given (with one warning per
    /// process on stderr if it lacks glyphs for some character), otherwise the installed
    /// sans-serif font fontconfig ranks first among those with a glyph for every character.
    /// When no installed font covers the texts, the built-in font; if that loses characters
    /// (anything outside ASCII) one warning per process on stderr says how to install a font.
    public static func covering(_ texts: [String], preferred: OutlineFont? = nil) -> TextFace {
        let joined = texts.joined(separator: " ")
        if let preferred {
            let missing = preferred.missingGlyphs(in: joined)
            if missing > 0 {
                FontCatalog.shared.warnOnce(
                    "font \(preferred) has no glyph for \(missing) character(s) of \"\(joined)\"; they are drawn as empty boxes")
            }
            return TextFace(font: preferred)
        }
        if let font = FontCatalog.shared.font(covering: joined) { return TextFace(font: font) }
        if !joined.allSatisfy(\.isASCII) {
            FontCatalog.shared.warnOnce(
                "no installed font has a glyph for every character of \"\(joined)\"; labels are drawn with OpenCV's "
                    + "built-in font, other characters as \"?\". Install a font that covers them (Debian/Ubuntu: "
                    + "apt-get install fontconfig fonts-wqy-microhei for Chinese, Japanese and Korean) or give a font file")
        }
        return .builtIn
    }

    /// Size of `text` at Hershey `scale` and `thickness`: drawn at (x, baseline) its ink spans
    /// columns `x ..< x + width`, and it reaches `height` above the baseline and `baseline`
    /// below; nil when the shim fails (out of memory).
    public func size(_ text: String, scale: Double, thickness: Int) -> (width: Int, height: Int, baseline: Int)? {
        guard let hershey = Self.hersheySize(font == nil ? Self.ascii(text) : "H", scale: scale, thickness: thickness)
        else { return nil }
        guard let font else { return hershey }
        guard let ink = font.measure(text, pixelHeight: pixelHeight(font, hershey: hershey)) else { return nil }
        return (ink.right - ink.left, max(hershey.height, ink.ascent), max(hershey.baseline, ink.descent))
    }

    /// Draws `text` into an RGB8 buffer at Hershey `scale` and `thickness`, its baseline at row
    /// `baseline` and its ink starting at column `x`; clipped to the image.
    public func draw(_ text: String, on pixels: UnsafeMutablePointer<UInt8>, width: Int, height: Int, x: Int,
                     baseline: Int, scale: Double, thickness: Int, color c: (r: UInt8, g: UInt8, b: UInt8)) {
        if let font {
            guard let hershey = Self.hersheySize("H", scale: scale, thickness: thickness) else { return }
            let em = pixelHeight(font, hershey: hershey)
            guard let ink = font.measure(text, pixelHeight: em) else { return }
            font.draw(text, on: pixels, width: width, height: height, x: x - ink.left, baseline: baseline,
                      pixelHeight: em, color: c)
        } else {
            _ = Self.ascii(text).withCString { string in
                cd_draw_text(pixels, Int32(width), Int32(height), string, Int32(clamping: x), Int32(clamping: baseline), scale,
                             Int32(clamping: thickness), c.r, c.g, c.b, nil, 0)
            }
        }
    }

    /// Pixels per em that make the font's capital "H" as tall as Hershey's (or a pixel less:
    /// rounded down so that Latin text never outgrows Hershey's line).
    private func pixelHeight(_ font: OutlineFont, hershey: (width: Int, height: Int, baseline: Int)) -> Int {
        max(1, Int((Double(hershey.height) / font.capRatio).rounded(.down)))
    }

    /// `text` with every non-ASCII character (grapheme) replaced by "?", as Hershey can draw it.
    static func ascii(_ text: String) -> String {
        String(text.map { $0.isASCII ? $0 : "?" })
    }

    private static func hersheySize(_ text: String, scale: Double, thickness: Int) -> (width: Int, height: Int, baseline: Int)? {
        var w: Int32 = 0, h: Int32 = 0, base: Int32 = 0
        let status = text.withCString { cd_text_size($0, scale, Int32(clamping: thickness), &w, &h, &base, nil, 0) }
        return status == CD_OK ? (Int(w), Int(h), Int(base)) : nil
    }
}

/// The process's fontconfig picks and open font faces, and its once-only warnings.
final class FontCatalog: @unchecked Sendable {
    static let shared = FontCatalog()

    private let lock = NSLock()
    private var faces: [String: OutlineFont] = [:]
    private var picks: [String: OutlineFont?] = [:]
    private var warned = false

    /// fontconfig's first sans-serif font with a glyph for every character of `text`, opened
    /// once per process; nil when there is none (or it cannot be opened).
    func font(covering text: String) -> OutlineFont? {
        // Keyed by the characters, not the text: video labels with ever-new track ids and
        // scores ask again and again for the same few characters.
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: Set(text.unicodeScalars).sorted())
        let characters = String(scalars)
        lock.lock()
        defer { lock.unlock() }
        if let pick = picks[characters] { return pick }
        var pick: OutlineFont?
        var path = [CChar](repeating: 0, count: 4096)
        var index: Int32 = 0
        var found: Int32 = 0
        if cd_font_find(characters, "sans-serif", &path, path.count, &index, &found, nil, 0) == CD_OK, found == 1 {
            let file = String(cString: path)
            let key = "\(file)#\(index)"
            pick = faces[key] ?? (try? OutlineFont(path: file, faceIndex: Int(index)))
            faces[key] = pick
        }
        if picks.count > 4096 { picks.removeAll() }
        picks[characters] = pick
        return pick
    }

    /// Writes `warning: <message>` to stderr the first time it is called in this process.
    func warnOnce(_ message: String) {
        lock.lock()
        let first = !warned
        warned = true
        lock.unlock()
        if first { FileHandle.standardError.write(Data("warning: \(message)\n".utf8)) }
    }
}
