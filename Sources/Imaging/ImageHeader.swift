import Foundation

/// What an image file's header says before any pixel is decoded: the container format, the
/// stored size and the EXIF orientation (1–8, as in the TIFF tag; 1 when absent or malformed).
///
/// ```swift
/// let data = try Data(contentsOf: URL(fileURLWithPath: "photo.jpg"))
/// if let header = try ImageLoader.header(data: data, name: "photo.jpg") {
///     print(header.format, header.width, header.height, header.orientation)  // JPEG 4032 3024 6
/// }
/// ```
///
/// The same Swift parsers `ImageLoader.decode` runs first (JPEG, PNG, GIF, BMP, WebP, TIFF,
/// and the EXIF block inside JPEG, PNG and WebP); the fuzz target `image-header` drives them.
public struct ImageHeader: Sendable, Equatable {
    /// `JPEG`, `PNG`, `GIF`, `BMP`, `WebP` or `TIFF`.
    public var format: String
    /// Stored size, before the orientation is applied.
    public var width: Int
    public var height: Int
    /// The EXIF orientation PIL's `exif_transpose` would apply (1 = upright).
    public var orientation: Int
}

extension ImageLoader {
    /// Reads the header of an image held in memory without decoding it; nil when the format
    /// is not one of the six read in Swift (OpenCV decides about those). `name` only labels
    /// error messages.
    ///
    /// - Throws: `ImagingError` naming `name` when the header is truncated or damaged, gives an
    ///   empty size, or a size above `maxPixels`.
    public static func header(data: Data, name: String, maxPixels: Int = defaultMaxPixels) throws(ImagingError) -> ImageHeader? {
        let result: Result<ImageHeader?, ImagingError> = data.withUnsafeBytes { bytes in
            Result { () throws(ImagingError) -> ImageHeader? in
                let view = ByteView(bytes: bytes)
                let format = ImageFormat.sniff(view)
                guard let info = try checkedInfo(view, format: format, name: name, maxPixels: maxPixels) else { return nil }
                return ImageHeader(format: format.rawValue, width: info.width, height: info.height,
                                   orientation: orientation(of: info).rawValue)
            }
        }
        return try result.get()
    }
}
