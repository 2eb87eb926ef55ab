/// Every failure of image loading: one line naming the file and the problem, ready to print
/// after `error: `.
///
/// ```swift
/// do { _ = try ImageLoader.load(path: "photo.jpg") }
/// catch let error as ImagingError { print("error: \(error)") }
/// // error: photo.jpg: truncated or corrupt JPEG (Premature end of JPEG file)
/// ```
public struct ImagingError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, so callers can react without parsing the message.
    public enum Kind: Sendable, Equatable {
        /// The file does not exist or cannot be read.
        case unreadable
        /// The bytes are not an image this library knows (or the format is not supported).
        case unsupportedFormat
        /// The file is an image but is truncated or damaged.
        case corrupt
        /// The image has more pixels than the caller allowed.
        case tooLarge
        /// Memory ran out while decoding.
        case outOfMemory
    }

    public let kind: Kind
    /// The file name (or the name given for in-memory data).
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
