/// Every failure the CLIP module reports: a message a user can act on, naming the file
/// (and tensor, key or token) involved and the problem.
///
/// The message is a single line, suitable to print after `error: ` and exit non-zero.
public struct CLIPError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
