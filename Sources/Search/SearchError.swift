/// Every failure of indexing and search: one line naming the file and the problem, ready to
/// print after `error: `.
///
/// ```swift
/// do { _ = try ImageIndex(path: "photos.sqlite", mode: .readOnly) }
/// catch let error as SearchError { print("error: \(error)") }
/// // error: photos.sqlite: no such index; build it with `clipdetect index DIR --index photos.sqlite`
/// ```
public struct SearchError: Error, CustomStringConvertible, Equatable {
    /// The problem, already naming the file it concerns.
    public let message: String

    public init(_ message: String) {
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String { message }
}
