import COpenCV
import Foundation

/// A TrueType / OpenType font face that draws text in any script it has glyphs for (FreeType
/// through OpenCV contrib's freetype module, glyphs chosen by HarfBuzz), for labels and captions.
///
/// ```swift
/// let font = try OutlineFont(path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
/// var annotator = Annotator()
/// annotator.font = font          // instead of the font fontconfig would pick
/// ```
///
/// Usually there is no need to name one: ``TextFace/covering(_:preferred:)`` asks fontconfig
/// for an installed font with glyphs for every character of the text. One instance may be
/// shared between threads (the shim serialises calls on one face).
public final class OutlineFont: @unchecked Sendable, CustomStringConvertible {
    /// The font file.
    public let path: String
    /// The face inside the file (collections such as .ttc hold several).
    public let faceIndex: Int
    let handle: OpaquePointer
    private let capLock = NSLock()
    private var capRatioCache: Double?

    /// Opens face `faceIndex` of the font file at `path`.
    /// - Throws: ``ImagingError`` (`.unreadable` when the file cannot be read,
    ///   `.unsupportedFormat` when it is not a font).
    public init(path: String, faceIndex: Int = 0) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ImagingError(.unreadable, file: path, reason: "no such font file or not readable")
        }
        guard (0...0xFFFF).contains(faceIndex) else {
            throw ImagingError(.unsupportedFormat, file: path, reason: "font face index \(faceIndex) out of range")
        }
        var font: OpaquePointer?
        var message = [CChar](repeating: 0, count: 256)
        let status = cd_font_open(path, Int32(faceIndex), &font, &message, message.count)
        guard status == CD_OK, let font else {
            let reason = String(cString: message)
            throw ImagingError(status == CD_ERR_NO_MEMORY ? .outOfMemory : .unsupportedFormat, file: path,
                               reason: reason.isEmpty ? "not a font file FreeType can read" : reason)
        }
        self.path = path
        self.faceIndex = faceIndex
        self.handle = font
    }

    deinit { cd_font_close(handle) }

    /// The file name, plus `#index` for a face other than the first.
    public var description: String { faceIndex == 0 ? path : "\(path)#\(faceIndex)" }

    /// How many characters of `text` this font has no glyph for (spaces and joiners don't count).
    public func missingGlyphs(in text: String) -> Int {
        var missing: Int32 = 0
        return cd_font_missing(handle, text, &missing, nil, 0) == CD_OK ? Int(missing) : 0
    }

    /// The ink of `text` at `pixelHeight` pixels per em, drawn with the left end of its baseline
    /// at the origin: columns `left ..< right`, rows `-ascent ..< descent`; nil when the shim
    /// fails (out of memory).
    ///
    /// Remembered per text and size (the shim renders the text to find its ink, and a label is
    /// measured once to place it and again to draw it).
    func measure(_ text: String, pixelHeight: Int) -> (left: Int, right: Int, ascent: Int, descent: Int)? {
        let key = MeasureKey(text: text, pixelHeight: max(1, pixelHeight))
        measureLock.lock()
        let known = measured[key]
        measureLock.unlock()
        if let known { return known }
        var left: Int32 = 0, right: Int32 = 0, ascent: Int32 = 0, descent: Int32 = 0
        let status = cd_font_text_size(handle, text, Int32(clamping: key.pixelHeight), &left, &right, &ascent, &descent, nil, 0)
        guard status == CD_OK else { return nil }
        let ink = (left: Int(left), right: Int(right), ascent: Int(ascent), descent: Int(descent))
        measureLock.lock()
        if measured.count >= 4096 { measured.removeAll() }
        measured[key] = ink
        measureLock.unlock()
        return ink
    }

    private struct MeasureKey: Hashable {
        let text: String
        let pixelHeight: Int
    }

    private let measureLock = NSLock()  // (capRatio measures while holding capLock)
    private var measured: [MeasureKey: (left: Int, right: Int, ascent: Int, descent: Int)] = [:]

    /// Height of a capital "H" per pixel of em: the factor that sizes this font like another.
    var capRatio: Double {
        capLock.lock()
        defer { capLock.unlock() }
        if let capRatioCache { return capRatioCache }
        let ink = measure("H", pixelHeight: 200)?.ascent ?? 0
        let ratio = ink > 0 ? Double(ink) / 200 : 0.7
        capRatioCache = ratio
        return ratio
    }

    /// Draws `text` with the left end of its baseline at (x, baseline); clipped to the image.
    func draw(_ text: String, on pixels: UnsafeMutablePointer<UInt8>, width: Int, height: Int, x: Int, baseline: Int,
              pixelHeight: Int, color c: (r: UInt8, g: UInt8, b: UInt8)) {
        _ = cd_font_draw_text(handle, pixels, Int32(width), Int32(height), text, Int32(clamping: x), Int32(clamping: baseline),
                              Int32(clamping: max(1, pixelHeight)), c.r, c.g, c.b, nil, 0)
    }
}
