import CLIP
import COpenCV
import Foundation

/// Writes `RGBImage`s as JPEG or PNG files, never leaving a half-written file behind.
///
/// ```swift
/// let image = try ImageLoader.load(path: "street.jpg")
/// try ImageWriter.write(image, to: "street_boxes.png")              // format from the extension
/// let jpeg = try ImageWriter.encode(image, format: .jpeg, quality: 85) // bytes in memory
/// ```
///
/// The bytes go to a hidden temporary file in the destination folder, which is then renamed
/// over the destination: readers see either the old file or the complete new one, and a failed
/// write removes its temporary file.
public enum ImageWriter {
    /// The formats the writer produces.
    public enum Format: String, Sendable, CaseIterable {
        case jpeg
        case png

        /// The format named by a path's extension (`.jpg`, `.jpeg`, `.png`, any letter case), or
        /// nil for anything else.
        public init?(path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "jpg", "jpeg": self = .jpeg
            case "png": self = .png
            default: return nil
            }
        }
    }

    /// Encodes `image` and writes it to `path`, replacing any existing file atomically.
    ///
    /// - Parameters:
    ///   - path: the output file; its extension (`.jpg`, `.jpeg` or `.png`) picks the format.
    ///   - quality: JPEG quality in 1...100 (ignored for PNG, which is lossless).
    /// - Throws: `ImagingError` naming `path` for an unknown extension, a quality out of
    ///   range, a missing or unwritable folder, a destination that is a folder, or an encoder or
    ///   disk failure. On error the destination is left as it was.
    public static func write(_ image: RGBImage, to path: String, quality: Int = 92) throws(ImagingError) {
        guard let format = Format(path: path) else {
            let ext = (path as NSString).pathExtension
            let shown = ext.isEmpty ? "no extension" : "extension .\(ext)"
            throw ImagingError(.unsupportedFormat, file: path, reason: "\(shown) is not a format the writer knows; use .jpg, .jpeg or .png")
        }
        let folder = folderOf(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw ImagingError(.unwritable, file: path, reason: "folder \(folder) does not exist")
        }
        guard isDirectory.boolValue else {
            throw ImagingError(.unwritable, file: path, reason: "\(folder) is not a folder")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ImagingError(.unwritable, file: path, reason: "is a folder, not a file")
        }
        // Encode before touching the disk, so an encoder failure cannot leave anything behind.
        let bytes = try encode(image, format: format, quality: quality, name: path)
        try AtomicFile.replace(path, folder: folder, with: bytes)
    }

    /// Encodes `image` in memory.
    ///
    /// - Parameter quality: JPEG quality in 1...100 (ignored for PNG).
    /// - Throws: `ImagingError` (named "<memory>") when the quality is out of range or the
    ///   encoder fails.
    public static func encode(_ image: RGBImage, format: Format, quality: Int = 92) throws(ImagingError) -> Data {
        try encode(image, format: format, quality: quality, name: "<memory>")
    }

    private static func encode(_ image: RGBImage, format: Format, quality: Int, name: String) throws(ImagingError) -> Data {
        if format == .jpeg, !(1...100).contains(quality) {
            throw ImagingError(.invalidArgument, file: name, reason: "JPEG quality \(quality) is outside 1...100")
        }
        var buffer = cd_buffer()
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                switch format {
                case .jpeg:
                    cd_encode_jpeg(pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(quality),
                                   &buffer, text.baseAddress, text.count)
                case .png:
                    cd_encode_png(pixels.baseAddress, Int32(image.width), Int32(image.height),
                                  &buffer, text.baseAddress, text.count)
                }
            }
        }
        defer { cd_buffer_free(&buffer) }
        guard status == CD_OK, let data = buffer.data else {
            let detail = String(shimMessage: message)
            throw ImagingError(.encodeFailed, file: name, reason: "cannot encode the \(image.width)x\(image.height) image as \(format.rawValue.uppercased()) (\(detail))")
        }
        return Data(bytes: data, count: buffer.size)
    }

    /// The folder holding `path` ("." for a bare file name).
    private static func folderOf(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }
}
