import CLIP
import Foundation

/// Reads image files into `RGBImage`s with exactly the pixels transformers sees after
/// `PIL.Image.open` → `ImageOps.exif_transpose` → `convert_to_rgb` (alpha composited over
/// white).
///
/// ```swift
/// let image = try ImageLoader.load(path: "street.jpg")        // RGBImage, upright
/// let pixels = ImageProcessor(config: .clipDefaults(imageSize: 224)).preprocess(image)
/// ```
///
/// JPEG goes through libjpeg (truncated or corrupt data is an error, where PIL-style decoders
/// would pad with grey); PNG, BMP, TIFF, WebP and the other formats OpenCV reads go through
/// OpenCV. The size in the header is checked against `maxPixels` before anything is decoded,
/// so a small file claiming a huge image cannot exhaust memory.
public enum ImageLoader {
    /// The default limit: 100 megapixels (a 10000×10000 image).
    public static let defaultMaxPixels = 100_000_000

    /// Loads the image file at `path`.
    ///
    /// - Throws: `ImagingError` naming `path` when the file is missing or unreadable, empty,
    ///   not a decodable image, truncated or corrupt, or larger than `maxPixels`.
    public static func load(path: String, maxPixels: Int = defaultMaxPixels) throws(ImagingError) -> RGBImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImagingError(.unreadable, file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ImagingError(.unreadable, file: path, reason: "is a directory, not an image file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ImagingError(.unreadable, file: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try decode(data: data, name: path, maxPixels: maxPixels)
    }

    /// Decodes an image held in memory; `name` only labels error messages.
    ///
    /// - Throws: `ImagingError` naming `name` (see `load(path:maxPixels:)`).
    public static func decode(data: Data, name: String, maxPixels: Int = defaultMaxPixels) throws(ImagingError) -> RGBImage {
        guard !data.isEmpty else {
            throw ImagingError(.corrupt, file: name, reason: "file is empty (0 bytes)")
        }
        let result: Result<RGBImage, ImagingError> = data.withUnsafeBytes { bytes in
            Result { () throws(ImagingError) -> RGBImage in try decode(bytes: bytes, name: name, maxPixels: maxPixels) }
        }
        return try result.get()
    }

    private static func decode(bytes: UnsafeRawBufferPointer, name: String, maxPixels: Int) throws(ImagingError) -> RGBImage {
        let view = ByteView(bytes: bytes)
        let format = ImageFormat.sniff(view)
        guard format != .unknown else {
            throw ImagingError(.unsupportedFormat, file: name, reason: "not an image file, or in a format that cannot be decoded (read: \(ImageFormat.supported))")
        }
        let info = try checkedInfo(view, format: format, name: name, maxPixels: maxPixels)
        let image = try NativeDecoder.decodeRGB(bytes, info: info, format: format, maxPixels: maxPixels, name: name)
        return orientation(of: info).apply(to: image)
    }

    /// The header of a recognised format, its size checked against `maxPixels`; nil for
    /// formats left to OpenCV.
    static func checkedInfo(_ view: ByteView, format: ImageFormat, name: String, maxPixels: Int) throws(ImagingError) -> ImageInfo? {
        let info: ImageInfo?
        do {
            info = try ImageInfo.read(view, format: format)
        } catch {
            switch error {
            case .truncated(let reason):
                throw ImagingError(.corrupt, file: name, reason: "truncated \(format.rawValue) image: \(reason)")
            case .invalid(let reason):
                throw ImagingError(.corrupt, file: name, reason: "damaged \(format.rawValue) header: \(reason)")
            }
        }
        if let info {
            guard info.width > 0, info.height > 0 else {
                throw ImagingError(.corrupt, file: name, reason: "\(format.rawValue) header gives an empty size \(info.width)x\(info.height)")
            }
            // Divide rather than multiply: two 32-bit sides overflow a signed 64-bit product.
            guard info.width <= maxPixels / info.height else {
                throw ImagingError(.tooLarge, file: name, reason: "image is \(info.width)x\(info.height) pixels, more than the limit of \(maxPixels)")
            }
        }
        return info
    }

    static func orientation(of info: ImageInfo?) -> ExifOrientation {
        if let tag = info?.tiffOrientation { return ExifOrientation(rawValue: tag) ?? .up }
        if let exif = info?.exif { return ExifOrientation(exif: exif) }
        return .up
    }
}
