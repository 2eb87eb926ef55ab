/// What the loader learns from a file's header before any pixel is decoded: the format, the
/// size (checked against the pixel limit first) and the metadata PIL would apply afterwards.
struct ImageInfo {
    var format: ImageFormat
    var width: Int
    var height: Int
    /// The TIFF block of the file's EXIF data (JPEG APP1, PNG eXIf, WebP EXIF), if any.
    var exif: [UInt8]? = nil
    /// TIFF files carry the orientation tag in their own first directory.
    var tiffOrientation: Int? = nil
    /// An 8-bit grey PNG's tRNS grey level: PIL makes those pixels transparent (white after
    /// compositing) while OpenCV ignores the chunk.
    var transparentGrey: Int? = nil

    /// The reasons a header cannot be read.
    enum Problem: Error {
        case truncated(String)
        case invalid(String)
    }

    /// Reads the header of a recognised format; nil for `.other` (left to OpenCV).
    static func read(_ view: ByteView, format: ImageFormat) throws(Problem) -> ImageInfo? {
        switch format {
        case .jpeg: return try readJPEG(view)
        case .png: return try readPNG(view)
        case .gif: return try readGIF(view)
        case .bmp: return try readBMP(view)
        case .webp: return try readWebP(view)
        case .tiff: return try readTIFF(view)
        case .other, .unknown: return nil
        }
    }
}
