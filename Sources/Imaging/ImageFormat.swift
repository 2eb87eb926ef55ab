/// The container formats recognised from their first bytes (never from the file extension).
enum ImageFormat: String, Sendable {
    case jpeg = "JPEG"
    case png = "PNG"
    case gif = "GIF"
    case bmp = "BMP"
    case webp = "WebP"
    case tiff = "TIFF"
    /// Anything else: handed to OpenCV, which knows a few more (PNM, Sun raster, JPEG 2000, ...).
    case other = "unknown"

    /// Identifies the format from the file signature.
    static func sniff(_ view: ByteView) -> ImageFormat {
        if view.u8(0) == 0xFF, view.u8(1) == 0xD8, view.u8(2) == 0xFF { return .jpeg }
        if view.matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], at: 0) { return .png }
        if view.matches("GIF87a", at: 0) || view.matches("GIF89a", at: 0) { return .gif }
        if view.matches("BM", at: 0) { return .bmp }
        if view.matches("RIFF", at: 0), view.matches("WEBP", at: 8) { return .webp }
        if view.matches("II*\u{0}", at: 0) || view.matches("MM\u{0}*", at: 0) { return .tiff }
        return .other
    }
}
