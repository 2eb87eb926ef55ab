/// The container formats recognised from their first bytes (never from the file extension).
enum ImageFormat: String, Sendable {
    case jpeg = "JPEG"
    case png = "PNG"
    case gif = "GIF"
    case bmp = "BMP"
    case webp = "WebP"
    case tiff = "TIFF"
    /// Read by OpenCV without a Swift header parser: Netpbm (PBM, PGM, PPM, PAM, PFM), Sun
    /// raster and JPEG 2000, each recognised by its signature.
    case other = "Netpbm, Sun raster or JPEG 2000"
    /// Anything else, refused before any decoder runs: OpenCV would try every codec it was built
    /// with on it, and Debian's DICOM reader (GDCM) aborts the process on a damaged file.
    case unknown = "unknown"

    /// The formats read, for messages.
    static let supported = "JPEG, PNG, GIF, BMP, WebP, TIFF, PBM/PGM/PPM/PAM/PFM, Sun raster, JPEG 2000"

    /// Identifies the format from the file signature.
    static func sniff(_ view: ByteView) -> ImageFormat {
        if view.u8(0) == 0xFF, view.u8(1) == 0xD8, view.u8(2) == 0xFF { return .jpeg }
        if view.matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], at: 0) { return .png }
        if view.matches("GIF87a", at: 0) || view.matches("GIF89a", at: 0) { return .gif }
        if view.matches("BM", at: 0) { return .bmp }
        if view.matches("RIFF", at: 0), view.matches("WEBP", at: 8) { return .webp }
        if view.matches("II*\u{0}", at: 0) || view.matches("MM\u{0}*", at: 0) { return .tiff }
        if isNetpbm(view) || view.matches([0x59, 0xA6, 0x6A, 0x95], at: 0)
            || view.matches([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A], at: 0)
            || view.matches([0xFF, 0x4F, 0xFF, 0x51], at: 0) {
            return .other
        }
        return .unknown
    }

    /// `P1`–`P7`, `PF` or `Pf`, then white space (the Netpbm family's magic numbers).
    private static func isNetpbm(_ view: ByteView) -> Bool {
        guard view.matches("P", at: 0), let kind = view.u8(1), let next = view.u8(2) else { return false }
        let kinds = Array("1234567Ff".utf8).map(Int.init)
        let space = Array(" \t\n\r".utf8).map(Int.init)
        return kinds.contains(kind) && space.contains(next)
    }
}
