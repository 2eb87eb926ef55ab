/// Every failure of the Imaging library (loading, writing, resizing): one line naming the file
/// and the problem, ready to print after `error: `.
///
/// ```swift
/// do { _ = try ImageLoader.load(path: "photo.jpg") }
/// catch let error as ImagingError { print("error: \(error)") }
/// // error: photo.jpg: truncated or corrupt JPEG (Premature end of JPEG file)
///
/// do { try ImageWriter.write(image, to: "out/boxes.png") }
/// catch let error as ImagingError where error.kind == .unwritable { print("error: \(error)") }
/// // error: out/boxes.png: folder out does not exist
/// ```
///
/// Work on an image in memory (`ImageWriter.encode`, `RGBImage.resized`) names the file
/// `<memory>`.
public struct ImagingError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, so callers can react without parsing the message.
    public enum Kind: Sendable, Equatable {
        /// The file does not exist or cannot be read.
        case unreadable
        /// The bytes are not an image this library knows (or the format is not supported); for
        /// writing, the file extension names no format the writer can produce.
        case unsupportedFormat
        /// The file is an image but is truncated or damaged.
        case corrupt
        /// The image has more pixels than the caller allowed.
        case tooLarge
        /// Memory ran out while decoding or resizing.
        case outOfMemory
        /// The arguments are out of range (JPEG quality, an empty target size).
        case invalidArgument
        /// The encoder failed (out of memory, OpenCV error).
        case encodeFailed
        /// The output folder is missing or not writable, or the disk refused the bytes.
        case unwritable
    }

    public let kind: Kind
    /// The file name (the name given for in-memory data, or `<memory>`).
    public let file: String
    /// The problem, without the file name.
    public let reason: String

    public init(_ kind: Kind, file: String, reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }

    /// `"<file>: <reason>"` on one line.
    public var description: String {
        let oneLine = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(file): \(oneLine)"
    }
}
