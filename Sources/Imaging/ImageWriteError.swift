/// Every failure of `ImageWriter`: one line naming the output file and the problem, ready to
/// print after `error: `.
///
/// ```swift
/// do { try ImageWriter.write(image, to: "out/boxes.png") }
/// catch let error as ImageWriteError { print("error: \(error)") }
/// // error: out/boxes.png: folder out does not exist
/// ```
public struct ImageWriteError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, so callers can react without parsing the message.
    public enum Kind: Sendable, Equatable {
        /// The file extension names no format the writer can produce.
        case unsupportedFormat
        /// The arguments are out of range (JPEG quality).
        case invalidArgument
        /// The encoder failed (out of memory, OpenCV error).
        case encodeFailed
        /// The folder is missing or not writable, or the disk refused the bytes.
        case unwritable
    }

    public let kind: Kind
    /// The output path (or the name given to `encode`).
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
